// swift-tools-version: 6.0
// AnchorBridge: link on-premises Active Directory accounts to Microsoft Entra ID (hard match) safely.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
  name: "AnchorBridge",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "anchorbridge", targets: ["anchorbridge"]),
    .executable(name: "anchorbridge-emulator", targets: ["anchorbridge-emulator"]),
    .executable(name: "anchorbridge-bench-plan", targets: ["anchorbridge-bench-plan"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
  ],
  targets: [
    // The C library behind one folder: only LDAPClient imports CLDAP.
    .systemLibrary(name: "CLDAP", pkgConfig: "ldap", providers: [.apt(["libldap-dev"])]),
    .target(
      name: "LDAPClient",
      dependencies: ["CLDAP", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strict),
    // Pure: no C, no NIO, no HTTP, no SQLite; swift-crypto only for SHA-256.
    .target(
      name: "AnchorCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: strict),
    .target(
      name: "ActiveDirectory",
      dependencies: ["LDAPClient", "AnchorCore", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strict),
    // SQLite behind one folder: only PlanExecutor imports CSQLite.
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    // Applies a plan through TenantPort (no GraphClient, no NIO); journals every step in SQLite.
    .target(name: "PlanExecutor", dependencies: ["AnchorCore", "CSQLite"], swiftSettings: strict),
    // The state folder: the run lock, private files, run's caches and watermark files.
    .target(
      name: "StateStore",
      dependencies: ["AnchorCore", "ActiveDirectory", "GraphClient", "PlanExecutor"],
      swiftSettings: strict),
    .target(
      name: "GraphClient",
      dependencies: [
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    // Written from the Graph docs and Schemas/, never from GraphClient's types.
    .target(
      name: "TenantEmulator",
      dependencies: [
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    .executableTarget(
      name: "anchorbridge",
      dependencies: [
        "LDAPClient", "ActiveDirectory", "AnchorCore", "GraphClient", "PlanExecutor", "StateStore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: strict),
    // Benchmark: bulk vs one-at-a-time ImmutableID writes against the emulator's write quota.
    .executableTarget(
      name: "anchorbridge-bench-graph",
      dependencies: [
        "GraphClient", "TenantEmulator", .product(name: "Logging", package: "swift-log"),
      ],
      path: "Benchmarks/anchorbridge-bench-graph", swiftSettings: strict),
    .executableTarget(
      name: "anchorbridge-emulator",
      dependencies: [
        "TenantEmulator",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict),
    // Planning benchmark (1M x 1M); results in Benchmarks/results/plan.md.
    .executableTarget(
      name: "anchorbridge-bench-plan", dependencies: ["AnchorCore"],
      path: "Benchmarks/PlanBenchmark",
      swiftSettings: strict),

    // Locates the throwaway test DC and its fixture manifest; used only by test targets.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(
      name: "AnchorCoreTests", dependencies: ["AnchorCore", "TestSupport"], swiftSettings: strict),
    .testTarget(
      name: "PlanExecutorTests", dependencies: ["PlanExecutor", "AnchorCore"], swiftSettings: strict
    ),
    .testTarget(
      name: "LDAPClientTests",
      dependencies: [
        "LDAPClient", "TestSupport", .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "ActiveDirectoryTests",
      dependencies: [
        "ActiveDirectory", "LDAPClient", "AnchorCore", "TestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "GraphClientTests",
      dependencies: [
        "GraphClient", "TenantEmulator", .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Yams", package: "Yams"),
      ],
      resources: [], swiftSettings: strict),
    .testTarget(
      name: "TenantEmulatorTests",
      dependencies: [
        "TenantEmulator", "TestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: strict),
    // Everything that needs the test DC or runs the built binary end to end; the other test targets
    // need neither and run alone (also under --sanitize=thread, see Scripts/test.sh).
    .testTarget(
      name: "IntegrationTests",
      dependencies: [
        "anchorbridge", "AnchorCore", "ActiveDirectory", "LDAPClient", "TestSupport",
        "TenantEmulator", "GraphClient", "PlanExecutor", "StateStore",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "anchorbridgeTests",
      dependencies: [
        "anchorbridge", "AnchorCore", "ActiveDirectory", "LDAPClient", "TestSupport",
        "TenantEmulator", "GraphClient", "PlanExecutor", "StateStore",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
      ],
      swiftSettings: strict),
  ],
  swiftLanguageModes: [.v6]
)
