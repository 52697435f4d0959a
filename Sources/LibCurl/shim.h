// libcurl's headers, for the CCurl shim (pkg-config name and Debian package in Package.swift,
// which SwiftPM names when the header or .pc file is missing). Not linked: CCurl loads
// libcurl.so.4 with dlopen on the first push.
#include <curl/curl.h>
