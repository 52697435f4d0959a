import Store
import XCTest

/// What `--db` names: a URL is never a file name, an unknown scheme is an error, and a password
/// never appears in what the location says of itself.
final class DatabaseLocationTests: XCTestCase {
    func testPathsAndSQLiteURLs() throws {
        XCTAssertEqual(try DatabaseLocation.parse("/var/lib/sriov-audit/inventory.db"), .sqlite(path: "/var/lib/sriov-audit/inventory.db"))
        XCTAssertEqual(try DatabaseLocation.parse("inventory.db"), .sqlite(path: "inventory.db"))
        XCTAssertEqual(try DatabaseLocation.parse("./a:b.db"), .sqlite(path: "./a:b.db"), "a colon in a file name is still a path")
        XCTAssertEqual(try DatabaseLocation.parse("sqlite:///srv/inv.db"), .sqlite(path: "/srv/inv.db"))
        XCTAssertEqual(try DatabaseLocation.parse("file:///srv/inv.db"), .sqlite(path: "/srv/inv.db"))
    }

    func testPostgresURLs() throws {
        guard case .postgres(let full) = try DatabaseLocation.parse("postgresql://audit:p%40ss%3Aword@db.example:5433/inventory?sslmode=verify-full&application_name=fleet") else {
            return XCTFail("not PostgreSQL")
        }
        XCTAssertEqual(full.user, "audit")
        XCTAssertEqual(full.password, "p@ss:word")
        XCTAssertEqual(full.host, "db.example")
        XCTAssertEqual(full.port, 5433)
        XCTAssertEqual(full.database, "inventory")
        XCTAssertEqual(full.sslMode, .verifyFull)
        XCTAssertEqual(full.applicationName, "fleet")
        XCTAssertEqual(full.description, "postgres://audit:****@db.example:5433/inventory?sslmode=verify-full&application_name=fleet")

        guard case .postgres(let short) = try DatabaseLocation.parse("postgres://audit@[::1]") else { return XCTFail("not PostgreSQL") }
        XCTAssertEqual(short.host, "::1")
        XCTAssertEqual(short.port, 5432)
        XCTAssertEqual(short.database, "audit", "libpq's default: the user's name")
        XCTAssertNil(short.password)
        XCTAssertNil(short.sslMode)
        XCTAssertEqual(short.description, "postgres://audit@[::1]:5432/audit")
    }

    func testMalformedValuesNameTheProblemWithoutThePassword() {
        let cases: [(String, String)] = [
            ("", "--db is empty: give an SQLite file or a postgres:// URL"),
            ("mysql://audit@db/inv", "--db: unknown scheme `mysql://` (an SQLite file is a path or sqlite:///PATH; PostgreSQL is postgres://USER@HOST:PORT/DATABASE)"),
            ("postgres:audit:hunter2@db/inv", "--db postgres:audit:****@db/inv: a PostgreSQL URL starts with postgres:// (e.g. postgres://audit@db.example:5432/inventory)"),
            ("postgres://db.example/inv", "--db postgres://db.example/inv: the URL names no user (postgres://USER@HOST/DATABASE)"),
            ("postgres://audit:hunter2@db:99999/inv", "--db postgres://audit:****@db:99999/inv: the port `99999` is not a number from 1 to 65535"),
            ("postgres://audit:hunter2@db/inv?sslmode=maybe", "--db postgres://audit:****@db/inv?sslmode=maybe: sslmode `maybe` is not one of disable, allow, prefer, require, verify-ca, verify-full"),
            ("postgres://audit:hunter2@db/inv?password=x", "--db postgres://audit:****@db/inv?password=x: unknown parameter `password` (known: sslmode, application_name)"),
            ("postgres://audit:hun%zzter@db/inv", "--db postgres://audit:****@db/inv: the password is not valid percent-encoding"),
            ("postgres://audit@[::1/inv", "--db postgres://audit@[::1/inv: an IPv6 host is written [ADDRESS]"),
            ("sqlite://relative.db", "--db sqlite://relative.db: an SQLite URL names an absolute path: sqlite:///var/lib/sriov-audit/inventory.db"),
        ]
        for (value, message) in cases {
            XCTAssertThrowsError(try DatabaseLocation.parse(value), value) { error in
                XCTAssertEqual("\(error)", message)
                XCTAssertFalse("\(error)".contains("hunter2"))
            }
        }
    }
}
