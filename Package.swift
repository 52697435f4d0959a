// swift-tools-version: 6.1
// sriov-audit: collect, store, audit and report the SR-IOV state of Linux hosts.
// Data flows one way: C shims → Inventory (model) → Collector → Store → Rules → Report → Transport → CLI.
import PackageDescription

let package = Package(
    name: "sriov-audit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sriov-audit", targets: ["sriov-audit"]),
        .library(name: "Inventory", targets: ["Inventory"]),
        .library(name: "Collector", targets: ["Collector"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Rules", targets: ["Rules"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "Transport", targets: ["Transport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The fleet server (`serve`).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The fleet database when one SQLite file is not enough (`--db postgres://…`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Signed compliance evidence (Ed25519); postgres-nio already builds it.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // The C libraries, found through pkg-config; when one is missing, SwiftPM names the Debian
        // package to install (`apt-get install libpci-dev`) before the compiler fails on a header.
        .systemLibrary(name: "LibPCI", pkgConfig: "libpci", providers: [.apt(["libpci-dev", "pci.ids"])]),
        .systemLibrary(name: "LibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "LibZ", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // GRDB links SQLite itself; this names its Debian package when sqlite3.pc is missing.
        .systemLibrary(name: "LibSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Typed C shim over libpci: its lookups are variadic and its error handler calls exit(1).
        .target(
            name: "CPCI",
            dependencies: ["LibPCI"],
            linkerSettings: [.linkedLibrary("pci")]
        ),
        // Kernel UAPI headers (netlink, ethtool) plus a typed wrapper for the variadic ioctl(2).
        .target(name: "CKernel"),
        .target(name: "Inventory", exclude: ["host-snapshot.schema.json"]),
        .target(
            name: "Collector",
            dependencies: ["CPCI", "CKernel", "Inventory", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "Store",
            dependencies: [
                "Inventory", "LibSQLite3",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Rules", dependencies: ["Inventory", "Store", "CZlib", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "Report", dependencies: ["Inventory", "Store", "Rules", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["audit-report.schema.json"]
        ),
        // Typed C shim over libcurl: curl_easy_setopt is variadic and its options are macros.
        // libcurl is loaded with dlopen on the first push (see ccurl.c), not linked.
        .target(name: "CCurl", dependencies: ["LibCurl"]),
        .target(name: "Transport", dependencies: ["CCurl", "Inventory", "Report"]),
        // Typed C shim over zlib: inflateInit2 is a macro; gzip request bodies are inflated with a cap.
        .target(name: "CZlib", dependencies: ["LibZ"], linkerSettings: [.linkedLibrary("z")]),
        // The fleet server: receives pushes, stores, audits on a schedule, serves the results.
        .target(
            name: "Server",
            dependencies: [
                "Inventory", "Store", "Rules", "Report", "Transport", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["openapi.yaml"]
        ),
        .executableTarget(
            name: "sriov-audit",
            dependencies: [
                "Inventory", "Collector", "Store", "Rules", "Report", "Transport", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test-only: fixture builder (derived variants of the real captures) and oracles.
        .target(name: "TestSupport", dependencies: ["Inventory", "Store"], path: "Tests/TestSupport"),
        // The snapshot-walking check engine the fact-based one replaced, kept only as an independent oracle.
        .target(name: "AuditOracle", dependencies: ["Rules", "Inventory"], path: "Tests/AuditOracle"),
        .executableTarget(
            name: "sriov-audit-fixtures", dependencies: ["TestSupport", "Collector", "Inventory", "Store", "Rules", "AuditOracle"],
            path: "Tests/FixtureBuilderTool"
        ),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "Inventory", "Collector", "Store", "TestSupport", "AuditOracle"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Inventory", "Collector", "TestSupport"]),
        .testTarget(name: "CollectorTests", dependencies: ["Collector", "Inventory", "Rules", "Report", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Transport", "Rules", "Inventory", "Collector", "TestSupport"]),
        .testTarget(
            name: "CLITests",
            dependencies: ["sriov-audit", "Inventory", "Collector", "Store", "Rules", "Report", "Transport", "TestSupport"]
        ),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Store", "Inventory", "CZlib", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
