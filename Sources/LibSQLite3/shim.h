// The system library LibSQLite3 stands for (Package.swift: pkg-config name and the Debian package
// that provides it, which SwiftPM names when the header or .pc file is missing).
#include <sqlite3.h>
