// swift-tools-version: 6.1
import PackageDescription

// Dependencies are kept lean on purpose: CI builds them from a cold cache on every run.
// docs/architecture.md justifies each one in a line.
let package = Package(
    name: "Operator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "operator", targets: ["Operator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // PD's wire formats: Go durations, byte sizes, timestamps, response bodies and error shapes.
        // Shared by the PD client and the simulator; depends on nothing.
        .target(name: "PDWire"),
        // The pure core: API kinds, spec parsing and validation, conditions, snapshot, reconcilers. No I/O.
        .target(
            name: "Reconcilers",
            dependencies: ["PDWire", .product(name: "Yams", package: "Yams")]
        ),
        // Starting a FlyingFox server so that an address in use fails at once, naming the address. Shared by the
        // simulator's listeners and the controller's endpoints.
        .target(
            name: "HTTPServing",
            dependencies: [.product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox")]
        ),
        // A simulated TiKV cluster behind a PD-compatible HTTP API. Depends on no controller code.
        .target(
            name: "TiKVSimulator",
            dependencies: ["PDWire", "HTTPServing", .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "Yams", package: "Yams")]
        ),
        // The system's libcurl (OpenSSL flavour): HTTP/1.1 and TLS with client certificates to PD and
        // Prometheus. Linked, not built: nothing to compile on every CI run.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The system's OpenSSL 3 libcrypto: the math behind SSH signatures (Ed25519, ECDSA P-256, RSA, SHA-2).
        // Linked, not built, like CCurl; libcurl's OpenSSL flavour links the same library already.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // OpenSSH signatures without OpenSSH: SSHSIG sign and verify (what `ssh-keygen -Y sign` writes), public and
        // unencrypted private key files, ssh-agent signing, and allowed_signers lists. Only the SSH wire formats are
        // ours; the crypto is OpenSSL's. Depends on nothing of ours, so approvals, the CLI and the demo share it.
        .target(name: "SSHSignatures", dependencies: ["COpenSSL"]),
        // HTTP over the system libcurl (`Transport/`, `HTTPTransport`, retry backoff, a counting wrapper) and the PD
        // client on it: leader following, member failover, mutations sent once, region lists decoded as streams.
        // A library so the controller, the observer and the observation benchmark link one copy. Reconcilers only
        // for the spec's `TLSFiles`, the snapshot's `RegionCheck` names and `PDCall` (a planned mutation).
        .target(
            name: "PDClient",
            dependencies: ["PDWire", "Reconcilers", "CCurl"]
        ),
        // One observation of a TiKV cluster → `ClusterSnapshot`: `ClusterObserver` over PD, and store metrics through
        // one `StoreMetricsSource` (Prometheus and its PromQL catalogue, or the stores' `/metrics` read directly),
        // mapped to readings in one place. Apart from the executable so ObserveBench measures the real observer.
        .target(
            name: "TiKVObservation",
            dependencies: ["PDClient", "PDWire", "Reconcilers"]
        ),
        // The SQLite status store on GRDB (objects, status, lease, approvals, events, audit, settings) and the typed
        // resources over it. Apart from the executable: its schema and fencing are one concern, tested on their own.
        .target(
            name: "OperatorStore",
            dependencies: ["Reconcilers", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Approvals that prove who gave them: the controller's check of each signed decision (its SSHSIG over the
        // canonical payload, the allowed signers' principal for the key), and signing for the CLI, dashboard and demo.
        .target(
            name: "SignedApprovals",
            dependencies: ["SSHSignatures", "Reconcilers", "OperatorStore"]
        ),
        // The generic manager, after controller-runtime's: work queue, workers, triggers, the store's lease, the spec
        // files kept in force, the probe and metrics endpoints, logs and the metrics registry. Knows no TiKV: it
        // imports no PD or observation code, and runs whatever `Reconciler`s it is given.
        .target(
            name: "ControllerRuntime",
            dependencies: [
                "Reconcilers", "OperatorStore", "SignedApprovals", "HTTPServing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Diagnosis of open tickets by a model (Anthropic or an OpenAI-compatible API) or the offline rules: the
        // providers, their HTTP client, the API key's source, the call budget, and the runner that keeps it off the loop.
        .target(
            name: "ModelDiagnosis",
            dependencies: [
                "Reconcilers", "PDWire", "PDClient", "TiKVObservation", "OperatorStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The TiKV cluster's reconciler for the manager: one pass over one cluster, observe → decide → apply →
        // execute (`StepExecutor`, `StepSender`), its probes, and the metrics that name TiKV (the metered PD transport).
        .target(
            name: "TiKVController",
            dependencies: [
                "ControllerRuntime", "ModelDiagnosis", "Reconcilers", "PDWire", "PDClient", "TiKVObservation", "OperatorStore",
                "SignedApprovals",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The terminal dashboard's model (what it shows, from store and observation), its renderer and the raw-mode
        // terminal. ControllerRuntime only for `CLIError`, the failure a command reports.
        .target(
            name: "TerminalDashboard",
            dependencies: ["ControllerRuntime", "Reconcilers", "PDWire", "OperatorStore"]
        ),
        // The `operator` executable: commands, CLI output, the dashboard's and the demo's wiring; the composition
        // root that wires the libraries above together.
        .executableTarget(
            name: "Operator",
            dependencies: [
                "ControllerRuntime", "TiKVController", "ModelDiagnosis", "TerminalDashboard", "HTTPServing",
                "Reconcilers", "PDWire", "PDClient", "TiKVObservation", "OperatorStore", "TiKVSimulator", "SignedApprovals", "SSHSignatures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Measures the streaming region decoder (hack/bench-decode.sh).
        .executableTarget(name: "DecodeBench", dependencies: ["PDWire"], path: "Benchmarks/DecodeBench"),
        // Measures a steady-state observation against a separate simulator process (hack/bench-observe.sh), through
        // the TiKVObservation library the controller links.
        .executableTarget(
            name: "ObserveBench",
            dependencies: ["TiKVObservation", "PDClient", "Reconcilers"],
            path: "Benchmarks/ObserveBench"
        ),
        // Measures the simulator at 1M regions / 100 stores (hack/bench-sim.sh).
        .executableTarget(name: "SimBench", dependencies: ["TiKVSimulator"], path: "Benchmarks/SimBench"),
        // Measures the planners: a 1M-region leader rebalance and a full planning pass (hack/bench-plan.sh).
        .executableTarget(name: "PlanBench", dependencies: ["Reconcilers", "PDWire"], path: "Benchmarks/PlanBench"),
        // Balancing through PD's store weights vs explicit moves with PD's balancers on (hack/bench-balance.sh).
        .executableTarget(name: "BalanceBench", dependencies: ["Reconcilers", "PDWire", "TiKVSimulator"], path: "Benchmarks/BalanceBench"),
        // What the test targets share: a bounded polling wait, servers stopped when a test's body ends, the PD
        // fixtures, test seeds and snapshot builders. A library of the tests, part of no product.
        .target(name: "TestSupport", dependencies: ["Reconcilers", "TiKVSimulator", "SSHSignatures", "ControllerRuntime"], path: "Tests/TestSupport"),
        .testTarget(name: "PDWireTests", dependencies: ["PDWire", "TestSupport"]),
        .testTarget(name: "ReconcilersTests", dependencies: ["Reconcilers", "TestSupport"]),
        .testTarget(name: "TiKVSimulatorTests", dependencies: ["TiKVSimulator", "PDWire", "TestSupport"]),
        .testTarget(name: "SSHSignaturesTests", dependencies: ["SSHSignatures", "TestSupport"]),
        .testTarget(
            name: "ControllerTests",
            dependencies: [
                "Operator", "ControllerRuntime", "TiKVController", "ModelDiagnosis", "TerminalDashboard",
                "PDClient", "TiKVObservation", "OperatorStore", "Reconcilers", "TiKVSimulator", "TestSupport",
                "SignedApprovals", "SSHSignatures",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ],
            resources: [.copy("Golden")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
