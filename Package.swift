// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "techmarket",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "techmarket", targets: ["techmarket"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // Already in the graph through Hummingbird; named for the connection guard's channel handler.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // The metrics API (what the store and the API count) and its Prometheus backend (GET /metrics).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Already in the graph through Hummingbird; named for the server's ServiceGroup and its shutdown deadline.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Templates for the server-rendered dashboard page.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // libpq, the PostgreSQL client library, as a Swift module. Only `Postgres` imports it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // Pure order matching and auctions: the standard library only.
        .target(name: "Matching"),
        // The double-entry ledger's rules, encoding, hash chain and verifier: no I/O.
        .target(name: "Ledger", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "EmbeddedPostgres"),
        .target(name: "Market", dependencies: ["Ledger", "Matching"]),
        .target(
            name: "PostgresStore",
            dependencies: ["Market", "Ledger", "Postgres", .product(name: "Metrics", package: "swift-metrics")]),
        .target(
            name: "MarketAPI",
            dependencies: [
                "Market",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The OpenAPI document, served as it is, and the dashboard's templates.
            resources: [.copy("openapi.json"), .copy("Templates")]
        ),
        .executableTarget(
            name: "techmarket",
            dependencies: [
                "Market", "MarketAPI", "PostgresStore", "Postgres", "EmbeddedPostgres", "Ledger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "MatchingBenchmark",
            dependencies: ["Matching"],
            path: "Benchmarks/MatchingBenchmark"
        ),
        .executableTarget(
            name: "LedgerBenchmark",
            dependencies: ["Ledger", "SeededRandom"],
            path: "Benchmarks/LedgerBenchmark"
        ),
        .executableTarget(
            name: "LedgerStoreBenchmark",
            dependencies: ["Ledger", "Market", "Postgres", "PostgresStore", "EmbeddedPostgres"],
            path: "Benchmarks/LedgerStoreBenchmark"
        ),
        .executableTarget(
            name: "SearchBenchmark",
            dependencies: ["Market", "Postgres", "PostgresStore", "EmbeddedPostgres"],
            path: "Benchmarks/SearchBenchmark"
        ),
        .executableTarget(
            name: "VoucherBenchmark",
            dependencies: ["Market", "Postgres", "PostgresStore", "EmbeddedPostgres"],
            path: "Benchmarks/VoucherBenchmark"
        ),
        .executableTarget(
            name: "OfferBenchmark",
            dependencies: ["Market", "Postgres", "PostgresStore", "EmbeddedPostgres"],
            path: "Benchmarks/OfferBenchmark"
        ),
        .executableTarget(
            name: "VolumeBenchmark",
            dependencies: ["Market", "Postgres", "PostgresStore", "EmbeddedPostgres"],
            path: "Benchmarks/VolumeBenchmark"
        ),
        .executableTarget(
            name: "PostgresBenchmark",
            dependencies: ["Postgres", "EmbeddedPostgres"],
            path: "Benchmarks/PostgresBenchmark"
        ),

        // Shared by the test targets: the embedded test cluster and a fresh database per test.
        .target(
            name: "TestSupport",
            dependencies: ["EmbeddedPostgres", "Postgres", "PostgresStore", "Market"],
            path: "Tests/TestSupport"
        ),
        // Shared by the ledger's tests and the PostgreSQL store's: the naive reference ledger, the
        // seeded workload it is checked on, and their random numbers. The Ledger module only, so
        // that LedgerTests stay free of storage.
        .target(name: "LedgerTestSupport", dependencies: ["Ledger", "SeededRandom"], path: "Tests/LedgerTestSupport"),
        // The one seeded random generator (SplitMix64) and the seed lists of the property tests,
        // for every test and benchmark that needs one.
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        // The volume's seeded random contract histories and the naive recount they are checked
        // against, for the pure tests and the database's.
        .target(name: "VolumeTestSupport", dependencies: ["Market", "SeededRandom"], path: "Tests/VolumeTestSupport"),

        .testTarget(name: "MatchingTests", dependencies: ["Matching", "SeededRandom"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "LedgerTestSupport"]),
        .testTarget(name: "MarketTests", dependencies: ["Market", "Matching", "SeededRandom", "VolumeTestSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "EmbeddedPostgres", "TestSupport"]),
        .testTarget(name: "EmbeddedPostgresTests", dependencies: ["EmbeddedPostgres"]),
        .testTarget(name: "PostgresStoreTests", dependencies: ["PostgresStore", "Postgres", "EmbeddedPostgres", "Market", "Ledger", "TestSupport", "LedgerTestSupport"]),
        .testTarget(
            name: "MarketAPITests",
            dependencies: [
                "MarketAPI", "PostgresStore", "Postgres", "EmbeddedPostgres", "Market", "Ledger", "TestSupport", "SeededRandom", "VolumeTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
