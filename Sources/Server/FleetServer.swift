import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import UnixSignals
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The request context of every route: Hummingbird's core storage, nothing else (bodies are
/// read by ``BodyReader`` with the server's own limits, not the context's upload size).
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// `sriov-audit serve`: the fleet server. Built from ``ServerOptions`` by a function the tests
/// call too, run until SIGTERM or SIGINT, then shut down gracefully: the listener closes at
/// once, requests under way finish (and are answered only once committed), the scheduled audit
/// under way finishes, token activity is written, and ``run()`` returns.
public struct FleetServer: Sendable {
    public let options: ServerOptions
    public let logger: Logger

    public init(options: ServerOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run() async throws {
        try options.validate()
        // The writable store first: it creates and migrates a new database before the reader opens it.
        let writerStore = try options.openStore()
        let readerStore = try options.openStore(readOnly: true)
        let metrics = ServerMetrics()
        let auth = Authenticator(store: readerStore, readWithoutToken: options.readWithoutToken)
        let writer = GroupCommitWriter(store: writerStore)
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()

        let router = Router(context: ServerContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics, logger: logger))
        IngestRoutes(options: options, auth: auth, limiter: RateLimiter(rate: options.ratePerSecond, burst: options.rateBurst),
                     enrolLimiter: RateLimiter(rate: 0.2, burst: 10), inFlight: InFlightKeys(), writer: writer, store: writerStore,
                     metrics: metrics, logger: logger).add(to: router)
        ReadRoutes(options: options, auth: auth, reader: readerStore, writer: writerStore, metrics: metrics, pool: pool).add(to: router)

        var services: [any Service] = [TokenActivityService(auth: auth, store: writerStore)]
        if let schedule = options.audit {
            services.append(FleetAuditService(schedule: schedule, options: options, metrics: metrics, logger: logger, pool: pool))
        }
        let http1 = HTTPServerBuilder.http1(configuration: HTTP1Channel.Configuration(idleTimeout: TimeAmount.seconds(options.idleTimeout.components.seconds)))
        let server: HTTPServerBuilder
        if let tls = options.tls {
            server = try .tls(http1, tlsConfiguration: try Self.tlsConfiguration(tls))
        } else {
            server = http1
        }
        let portFile = options.portFile
        let logger = self.logger
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "sriov-audit",
                                 availableConnectionsDelegate: MaximumAvailableConnections(options.maxConnections)),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                if let portFile { Self.writePortFile(portFile, port: port) }
            },
            logger: logger
        )
        defer { pool.shutdownGracefully { _ in } }
        do {
            try await app.runService(gracefulShutdownSignals: [UnixSignal.sigterm, UnixSignal.sigint])
        } catch {
            await writer.shutdown()
            throw ServerError.cannotStart("\(error)")
        }
        await writer.shutdown()
        auth.flushActivity(into: writerStore)
        logger.info("stopped")
    }

    static func tlsConfiguration(_ files: ServerOptions.TLSFiles) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: files.key, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            if let ca = files.clientCA {
                // Mutual TLS: a client without a certificate signed by this CA is refused in the handshake.
                configuration.certificateVerification = .noHostnameVerification
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            }
            return configuration
        } catch {
            throw ServerError.cannotStart("TLS: cannot load \(files.certificate) / \(files.key)\(files.clientCA.map { " / \($0)" } ?? ""): \(error)")
        }
    }

    /// Written atomically, so a test or a supervisor never reads half a port number.
    static func writePortFile(_ path: String, port: Int) {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data("\(port)\n".utf8)) else { return }
        _ = rename(temporary, path)
    }
}

/// Latency per route pattern and refusals per reason, for every request.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.observe(route: context.endpointPath ?? route, method: request.method.rawValue, status: response.status.code, duration: .now - started)
            return response
        } catch let error as APIError {
            metrics.rejected(error.reason)
            metrics.observe(route: context.endpointPath ?? route, method: request.method.rawValue, status: error.status.code, duration: .now - started)
            logger.info("refused", metadata: ["route": "\(context.endpointPath ?? route)", "status": "\(error.status.code)", "reason": "\(error.reason)", "why": "\(error.message)"])
            return error.response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.observe(route: context.endpointPath ?? route, method: request.method.rawValue, status: status, duration: .now - started)
            throw error
        }
    }
}

/// Writes when tokens were last used, every 30 s and once more at shutdown.
struct TokenActivityService: Service {
    let auth: Authenticator
    let store: InventoryStore

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(30)) } } catch { break }
            auth.flushActivity(into: store)
        }
    }
}
