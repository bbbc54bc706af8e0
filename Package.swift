// swift-tools-version: 6.1
import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "astral",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "astral", targets: ["astral"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "Rego", targets: ["Rego"]),
        .library(name: "Ledger", targets: ["Ledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Pure layer: values in, values out. No I/O, no server, no database, no logging.
        .target(
            name: "Detection",
            resources: [.copy("Resources")],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "Rego",
            dependencies: [
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            // Swift 6.3's closure specialiser does not terminate in useful time on the
            // evaluator's recursive continuation-passing functions: with it, optimising
            // this module took more than 24 GiB and hours. Without that one pass the
            // whole module optimises in about 2.5 minutes and 0.6 GiB.
            swiftSettings: strictSwift6 + [
                .unsafeFlags(["-Xllvm", "-sil-disable-pass=closure-specialize"], .when(configuration: .release)),
            ]
        ),
        .target(
            name: "Ledger",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift6
        ),
        // Storage owns every SQL statement.
        .target(
            name: "Storage",
            dependencies: [
                "Ledger",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
        // Scan → policy → decision → event.
        .target(
            name: "Enforcement",
            dependencies: [
                "Detection", "Rego", "Ledger", "Storage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift6
        ),
        // HTTP: routing, authentication, problem+json, streaming.
        .target(
            name: "Gateway",
            dependencies: [
                "Enforcement",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "astral",
            dependencies: [
                "Detection", "Rego", "Ledger", "Storage", "Enforcement", "Gateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift6
        ),
        // `swift run -c release ledger-bench`: figures for docs/ledger.md, never a test.
        .executableTarget(
            name: "ledger-bench",
            dependencies: ["Storage"],
            path: "Benchmarks/LedgerBench",
            swiftSettings: strictSwift6
        ),
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strictSwift6
        ),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "TestSupport"], swiftSettings: strictSwift6),
        .testTarget(
            name: "RegoTests",
            dependencies: [
                "Rego", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "TestSupport"], swiftSettings: strictSwift6),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSwift6
        ),
    ],
    swiftLanguageModes: [.v6]
)
