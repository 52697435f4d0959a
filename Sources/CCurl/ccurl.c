#include "ccurl.h"

#include <curl/curl.h>
#include <ctype.h>
#include <dlfcn.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

// libcurl is loaded on the first push, not at start: with its TLS, Kerberos, LDAP and SSH
// libraries it is ~5 MB of every run's memory, and collect, audit or serve never send a request.
// The entry points are declared with libcurl's own prototypes (curl.h), so the calls are checked
// as if linked.
static struct {
  CURLcode (*global_init)(long flags);
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
  CURLcode (*easy_perform)(CURL *curl);
  CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
  void (*easy_cleanup)(CURL *curl);
  const char *(*easy_strerror)(CURLcode code);
  struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
  void (*slist_free_all)(struct curl_slist *list);
  char *(*version)(void);
} api;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_status = CURLE_OK;
static char load_error[200];

#define RESOLVE(field, symbol)                                                              \
  if (!(*(void **)&api.field = dlsym(library, symbol))) {                                    \
    snprintf(load_error, sizeof(load_error), "libcurl.so.4 has no %s", symbol);             \
    return;                                                                                 \
  }

static void global_init(void) {
  void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    snprintf(load_error, sizeof(load_error), "cannot load libcurl.so.4 (Debian: apt-get install libcurl4): %s",
             why ? why : "unknown error");
    return;
  }
  RESOLVE(global_init, "curl_global_init")
  RESOLVE(easy_init, "curl_easy_init")
  RESOLVE(easy_setopt, "curl_easy_setopt")
  RESOLVE(easy_perform, "curl_easy_perform")
  RESOLVE(easy_getinfo, "curl_easy_getinfo")
  RESOLVE(easy_cleanup, "curl_easy_cleanup")
  RESOLVE(easy_strerror, "curl_easy_strerror")
  RESOLVE(slist_append, "curl_slist_append")
  RESOLVE(slist_free_all, "curl_slist_free_all")
  RESOLVE(version, "curl_version")
  global_status = api.global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_header(char *data, size_t size, size_t count, void *user) {
  ccurl_response *response = user;
  size_t length = size * count;
  static const char name[] = "retry-after:";
  if (length > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
    const char *value = data + sizeof(name) - 1;
    size_t n = length - (sizeof(name) - 1);
    while (n > 0 && isspace((unsigned char)*value)) { value++; n--; }
    while (n > 0 && isspace((unsigned char)value[n - 1])) n--;
    if (n >= sizeof(response->retry_after)) n = sizeof(response->retry_after) - 1;
    memcpy(response->retry_after, value, n);
    response->retry_after[n] = '\0';
  }
  // A redirect's or a 100-continue's headers come first: only the final response's should count.
  if (length >= 5 && strncmp(data, "HTTP/", 5) == 0) response->retry_after[0] = '\0';
  return length;
}

static size_t on_body(char *data, size_t size, size_t count, void *user) {
  ccurl_response *response = user;
  size_t length = size * count;
  size_t room = sizeof(response->body) - 1 - response->body_length;
  size_t n = length < room ? length : room;
  memcpy(response->body + response->body_length, data, n);
  response->body_length += n;
  response->body[response->body_length] = '\0';
  return length;
}

int ccurl_post(const ccurl_request *request, ccurl_response *response) {
  memset(response, 0, sizeof(*response));
  pthread_once(&global_once, global_init);
  if (load_error[0]) {
    response->curl_code = CURLE_FAILED_INIT;
    snprintf(response->error, sizeof(response->error), "%s", load_error);
    return response->curl_code;
  }
  if (global_status != CURLE_OK) {
    response->curl_code = global_status;
    snprintf(response->error, sizeof(response->error), "%s", api.easy_strerror(global_status));
    return response->curl_code;
  }
  CURL *curl = api.easy_init();
  if (!curl) {
    response->curl_code = CURLE_FAILED_INIT;
    snprintf(response->error, sizeof(response->error), "curl_easy_init failed");
    return response->curl_code;
  }
  struct curl_slist *headers = NULL;
  for (size_t i = 0; i < request->header_count; i++) {
    struct curl_slist *next = api.slist_append(headers, request->headers[i]);
    if (!next) break;
    headers = next;
  }
  // "Expect: 100-continue" costs a round trip and some receivers mishandle it.
  struct curl_slist *next = api.slist_append(headers, "Expect:");
  if (next) headers = next;

  char error[CURL_ERROR_SIZE] = {0};
  api.easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  api.easy_setopt(curl, CURLOPT_URL, request->url);
  api.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect must not carry the token elsewhere
  api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(curl, CURLOPT_POST, 1L);
  api.easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)request->body);
  api.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
  api.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  api.easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  api.easy_setopt(curl, CURLOPT_HEADERDATA, response);
  api.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  api.easy_setopt(curl, CURLOPT_WRITEDATA, response);
  api.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  api.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (request->bearer_token) {
    api.easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    api.easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, request->bearer_token);
  }
  if (request->ca_file) api.easy_setopt(curl, CURLOPT_CAINFO, request->ca_file);
  if (request->client_cert) api.easy_setopt(curl, CURLOPT_SSLCERT, request->client_cert);
  if (request->client_key) api.easy_setopt(curl, CURLOPT_SSLKEY, request->client_key);
  if (request->connect_timeout_ms > 0) api.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, request->connect_timeout_ms);
  if (request->total_timeout_ms > 0) api.easy_setopt(curl, CURLOPT_TIMEOUT_MS, request->total_timeout_ms);
  if (request->user_agent) api.easy_setopt(curl, CURLOPT_USERAGENT, request->user_agent);

  CURLcode code = api.easy_perform(curl);
  response->curl_code = code;
  if (code == CURLE_OK) {
    api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->http_status);
  } else {
    snprintf(response->error, sizeof(response->error), "%s", error[0] ? error : api.easy_strerror(code));
  }
  api.slist_free_all(headers);
  api.easy_cleanup(curl);
  return code;
}

int ccurl_is_transient(int code) {
  switch (code) {
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_AGAIN:
    return 1;
  default:
    return 0;
  }
}

const char *ccurl_version(void) {
  pthread_once(&global_once, global_init);
  return load_error[0] ? load_error : api.version();
}
