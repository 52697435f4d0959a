#ifndef CCURL_H
#define CCURL_H
// A typed face for the one libcurl call sriov-audit makes: curl_easy_setopt is variadic and its
// option names are macros, neither of which Swift can import.
#include <stddef.h>

typedef struct ccurl_request {
  const char *url;
  const unsigned char *body;
  size_t body_length;
  // Full header lines ("Content-Type: application/json").
  const char *const *headers;
  size_t header_count;
  // Bearer token, or NULL. Passed through CURLOPT_XOAUTH2_BEARER so it never sits in a header
  // array a caller might print.
  const char *bearer_token;
  const char *ca_file;       // NULL: the system's trust store
  const char *client_cert;   // PEM, for mTLS; NULL for none
  const char *client_key;
  long connect_timeout_ms;
  long total_timeout_ms;
  const char *user_agent;
} ccurl_request;

typedef struct ccurl_response {
  int curl_code;            // CURLE_OK (0) when an HTTP response arrived
  long http_status;         // 0 when none arrived
  char error[256];          // libcurl's words for curl_code
  char retry_after[128];    // the Retry-After header's value, trimmed; "" when absent
  char body[1024];          // the first bytes of the response body, NUL-terminated
  size_t body_length;
} ccurl_response;

// Performs one POST. Returns curl_code. Thread-safe (curl_global_init runs once).
int ccurl_post(const ccurl_request *request, ccurl_response *response);

// 1 for transport failures worth retrying (refused, unreachable, timed out, reset).
int ccurl_is_transient(int curl_code);

// The libcurl version string, for --version and diagnostics.
const char *ccurl_version(void);

#endif
