// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode with the upcoming
/// features Hummingbird itself builds with.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "guichet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "guichet", targets: ["guichet"]),
        // The measurements, kept out of the daemon's binary; `guichet bench` runs this one.
        .executable(name: "guichet-bench", targets: ["guichet-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // The network's shared database (several structures): PostgreSQL's own Swift client.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // Already in the graph through hummingbird-auth: HMAC for TURN's time-limited credentials.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        // Already in the graph through Hummingbird's TLS product: the daemon's own TLS, and the
        // devices' pinned client (AsyncHTTPClient, already built for HummingbirdTesting).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Already in the graph through swift-nio-ssl: the room's ECDSA certificate for WebRTC's DTLS.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.19.4"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
        // Already in the graph through Hummingbird (its MetricsMiddleware): counters and timers.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        // `/metrics` in Prometheus' text format, fed by swift-metrics.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Pure rules of the structure's agenda: no I/O, clock and calendar passed in.
        .target(name: "Agenda", swiftSettings: swiftSettings),
        // The structure's configuration file: reading, validation, clear errors.
        .target(name: "StructureConfig", dependencies: ["Agenda"], swiftSettings: swiftSettings),
        // SQLite through GRDB: migrations, records, invariants inside transactions.
        .target(
            name: "Store",
            dependencies: ["Agenda", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // libcups, through a module map (Debian: libcups2-dev).
        .systemLibrary(name: "CCups", path: "Sources/CCups"),
        // libsane and libjpeg, through module maps (Debian: libsane-dev, libjpeg-dev).
        .systemLibrary(name: "CSane", path: "Sources/CSane"),
        .systemLibrary(name: "CJpeg", path: "Sources/CJpeg"),
        // GStreamer and webrtcbin (Debian: libgstreamer-plugins-bad1.0-dev), and the small C shim
        // for what Swift cannot call (variadic GObject calls, signal handlers).
        .systemLibrary(name: "CGStreamer", path: "Sources/CGStreamer", pkgConfig: "gstreamer-webrtc-1.0"),
        .target(
            name: "GstShim", dependencies: ["CGStreamer"], path: "Sources/GstShim",
            linkerSettings: ["gstwebrtc-1.0", "gstsdp-1.0", "gstvideo-1.0", "gstbase-1.0", "gstreamer-1.0", "nice", "gobject-2.0", "glib-2.0"].map { .linkedLibrary($0) }),
        // The visio's signalling protocol and join rules (pure).
        .target(name: "Visio", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings),
        // The visio's media engine (room pipeline presets in media/presets).
        .target(
            name: "Media",
            dependencies: [
                "CGStreamer", "GstShim", .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ], path: "media", exclude: ["README.md", "coturn"], resources: [.copy("presets")],
            swiftSettings: swiftSettings),
        // The station's printer (CUPS) and scanner (SANE) behind small Swift protocols.
        .target(name: "Devices", dependencies: ["CCups", "CSane", "CJpeg"], swiftSettings: swiftSettings),
        // The self-service station: the kiosk session's state machine, its folders and the wipe.
        .target(name: "Station", dependencies: ["Agenda", "Devices"], swiftSettings: swiftSettings),
        // The station's UI (templates, texts in each language, CSS, script, pictograms).
        .target(
            name: "Kiosk", path: "kiosk", exclude: ["README.md"],
            resources: [.copy("templates"), .copy("strings"), .copy("static"), .copy("extension")], swiftSettings: swiftSettings),
        // How an enrolled PC (a station, the room) reaches the server: its identity file, the
        // server's certificate read and pinned at enrolment, the pinned HTTPS client.
        .target(
            name: "DeviceLink",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        // Activity reports computed from stored data: CSV and HTML with SVG charts.
        .target(name: "Reports", dependencies: ["Agenda"], swiftSettings: swiftSettings),
        // A network of structures on one PostgreSQL database (SQLite stays a structure's default).
        .target(
            name: "NetworkStore", dependencies: ["Agenda", .product(name: "PostgresNIO", package: "postgres-nio")], swiftSettings: swiftSettings),
        // What the routes call: the office (configuration, database, clock), accounts, the
        // stations' recorder, the visio calls in progress, the component checks.
        .target(
            name: "OfficeKit",
            dependencies: [
                "Agenda", "StructureConfig", "Store", "Reports", "Station", "Devices", "Visio", "Media", "DeviceLink",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP face of the daemon: routes, pages, middlewares, the OpenAPI document.
        .target(
            name: "Web",
            dependencies: [
                "Agenda", "StructureConfig", "Store", "Reports", "Station", "Devices", "Kiosk", "Visio", "OfficeKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/templates"), .copy("Resources/static")],
            swiftSettings: swiftSettings
        ),
        // The whole daemon: `buildApplication(config:options:)` opens the data, builds the office,
        // the routes and the long-running services (purge, stations' clock, visio lifecycle).
        .target(
            name: "App",
            dependencies: [
                "Agenda", "StructureConfig", "Store", "Station", "Devices", "Media", "OfficeKit", "Web", "DeviceLink", "Visio", "NetworkStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Measurements printed by `guichet-bench` (and `guichet bench`, which runs it).
        .target(
            name: "Benchmarks",
            dependencies: [
                "Agenda", "StructureConfig", "Store", "App", "OfficeKit", "Reports", "Station", "Devices", "DeviceLink",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "guichet-bench",
            dependencies: ["Benchmarks", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // The thin executable: argument parsing, then the application.
        .executableTarget(
            name: "guichet",
            dependencies: [
                "Agenda", "StructureConfig", "Store", "App", "OfficeKit", "Reports", "Station", "Devices", "Kiosk", "Media", "DeviceLink", "Web",
                "NetworkStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AgendaTests", dependencies: ["Agenda"], swiftSettings: swiftSettings),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Agenda"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NetworkStoreTests", dependencies: ["NetworkStore", "Agenda", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings),
        .testTarget(name: "StationTests", dependencies: ["Station"], swiftSettings: swiftSettings),
        .testTarget(name: "MediaTests", dependencies: ["Media", "Visio"], swiftSettings: swiftSettings),
        .testTarget(name: "VisioTests", dependencies: ["Visio"], swiftSettings: swiftSettings),
        .testTarget(name: "DevicesTests", dependencies: ["Devices", "Station"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StructureConfigTests", dependencies: ["StructureConfig", "Agenda"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Agenda", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "App", "Web", "OfficeKit", "Store", "StructureConfig", "Agenda", "Kiosk", "DeviceLink",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // The daemon's exact application, live: the visio's signalling over a real WebSocket.
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "OfficeKit", "Store", "StructureConfig", "Agenda", "Visio",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
