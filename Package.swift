// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "kept",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keptd", targets: ["keptd"]),
        .executable(name: "kept", targets: ["kept"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // libsystemd: the journal, sd_notify, socket activation; plus a ucred mirror for SO_PEERCRED.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // The pure core: model, dates, scheduling, the store's format and journal, protocol types.
        .target(
            name: "KeptCore",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The daemon: socket server, timers, delivery, systemd integration.
        .target(
            name: "KeptDaemon",
            dependencies: [
                "KeptCore",
                // Only to ask whether another daemon already answers on the socket.
                "KeptClient",
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // The client side of the control socket, and what the CLI prints.
        .target(
            name: "KeptClient",
            dependencies: ["KeptCore"]
        ),
        // The address of Swift concurrency's enqueue hook, for keptd linked with the static runtime.
        .target(name: "CKeptRuntime"),
        .executableTarget(
            name: "keptd",
            dependencies: [
                "KeptDaemon",
                "CKeptRuntime",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Linked by lld without SwiftPM's -rpath=$ORIGIN: the package's keptd loads only the
            // system's libraries (scripts/ld-lld).
            linkerSettings: [.unsafeFlags(["-ld-path=\(Context.packageDirectory)/scripts/ld-lld"])]
        ),
        .executableTarget(
            name: "kept",
            dependencies: [
                "KeptClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["kept.order"],
            // A short-lived command, so a static PIE: the Swift runtime and the C library linked in,
            // nothing loaded at start, addresses still randomised, relocations packed (RELR); the
            // functions the everyday commands run placed together (kept.order, from scripts/order).
            // scripts/ld-lld says why it has its own linker.
            linkerSettings: [.unsafeFlags([
                "-static-stdlib",
                "-Xclang-linker", "-static-pie", "-Xclang-linker", "-Wno-unused-command-line-argument",
                "-ld-path=\(Context.packageDirectory)/scripts/ld-lld",
                "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
                "-Xlinker", "-lswiftSynchronization",
                "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/kept/kept.order",
                "-Xlinker", "--no-warn-symbol-ordering",
            ])]
        ),
        // `make bench`'s measuring tool: seeds stores, times requests, timers and start-up.
        .executableTarget(
            name: "kept-bench",
            dependencies: [
                "KeptCore",
                "KeptClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzz target's body (libFuzzer's entry point included); `scripts/fuzz` links it with
        // libFuzzer, and KeptCoreTests replays its corpus.
        .target(
            name: "KeptFuzz",
            dependencies: ["KeptCore"]
        ),
        // What only tests use — a journal in memory, a timer moved by hand — kept out of the product.
        .target(
            name: "KeptTestSupport",
            dependencies: ["KeptCore", "KeptDaemon"]
        ),
        .testTarget(
            name: "KeptCoreTests",
            dependencies: ["KeptCore", "KeptFuzz"]
        ),
        .testTarget(
            name: "KeptDaemonTests",
            dependencies: ["KeptDaemon", "KeptCore", "KeptClient", "CSystemd", "KeptTestSupport",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        .testTarget(
            name: "KeptEndToEndTests",
            // The binaries are found beside the tests (`swift build --build-tests` builds them);
            // depending on `kept` would link its static runtime into the tests.
            dependencies: ["KeptCore", "KeptClient"]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    // Each function in its own section, so that kept.order can place it (the packages kept
    // depends on are built as they come).
    if ["KeptCore", "KeptClient", "kept"].contains(target.name) {
        settings.append(.unsafeFlags(["-Xfrontend", "-function-sections"]))
    }
    target.swiftSettings = settings
}
