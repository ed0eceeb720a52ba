import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A Microsoft Graph tenant on loopback: token endpoint and Graph share one authority,
/// `baseURL`. Start it, point a client at `baseURL`, shut it down when done.
public final class TenantEmulatorServer: Sendable {
  public let port: Int
  /// `http://127.0.0.1:PORT` (`https://` with TLS): both the token authority and the Graph root.
  public let baseURL: String
  let service: GraphService
  private let group: MultiThreadedEventLoopGroup
  private let listener: any Channel
  private let acceptTask: Task<Void, Never>

  private init(
    port: Int, baseURL: String, service: GraphService, group: MultiThreadedEventLoopGroup,
    listener: any Channel, acceptTask: Task<Void, Never>
  ) {
    self.port = port
    self.baseURL = baseURL
    self.service = service
    self.group = group
    self.listener = listener
    self.acceptTask = acceptTask
  }

  /// Validates `stateJSON` (throwing `TenantEmulatorError.invalidState` naming the JSON path of
  /// a bad value), binds, and starts serving.
  public static func start(
    host: String = "127.0.0.1", port: Int = 0, stateJSON: Data,
    options: EmulatorOptions = .init()
  ) async throws -> TenantEmulatorServer {
    let state = try TenantState.load(stateJSON)
    let tlsContext = try options.tls.map(makeContext)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let server: NIOAsyncChannel<Connection, Never>
    do {
      server = try await ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .bind(host: host, port: port) { channel in
          channel.eventLoop.makeCompletedFuture {
            if let tlsContext {
              try channel.pipeline.syncOperations.addHandler(
                NIOSSLServerHandler(context: tlsContext))
            }
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            return try Connection(wrappingChannelSynchronously: channel)
          }
        }
    } catch {
      try? await group.shutdownGracefully()
      throw TenantEmulatorError.bindFailed(host: host, port: port, reason: "\(error)")
    }
    let boundPort = server.channel.localAddress?.port ?? port
    let hostPart = host.contains(":") ? "[\(host)]" : host
    let scheme = tlsContext == nil ? "http" : "https"
    let baseURL = "\(scheme)://\(hostPart):\(boundPort)"
    let service = GraphService(state: state, options: options, baseURL: baseURL)
    let task = Task<Void, Never> {
      _ = try? await withThrowingDiscardingTaskGroup { connections in
        try await server.executeThenClose { inbound in
          for try await connection in inbound {
            connections.addTask { await serve(connection, service: service) }
          }
        }
      }
    }
    return TenantEmulatorServer(
      port: boundPort, baseURL: baseURL, service: service, group: group,
      listener: server.channel, acceptTask: task)
  }

  private static func makeContext(_ tls: EmulatorTLS) throws -> NIOSSLContext {
    do {
      let chain = try NIOSSLCertificate.fromPEMBytes(Array(tls.certificateChainPEM.utf8))
      let key = try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem)
      let configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
      return try NIOSSLContext(configuration: configuration)
    } catch {
      throw TenantEmulatorError.tlsUnusable(reason: "\(error)")
    }
  }

  /// The current state, in the state-file schema (client secrets as SHA-256 hashes).
  public func stateJSON() async throws -> Data { await service.stateJSON() }

  /// Replaces the whole tenant; outstanding paging and delta tokens become invalid.
  public func replaceState(_ json: Data) async throws { try await service.replaceState(json) }

  public func requestLog() async -> [EmulatorRequestRecord] { await service.requestLog() }

  /// Stops accepting, drops held requests and closes every connection.
  public func shutdown() async throws {
    // Cancelling the accept task cancels every connection task (held requests end their
    // sleep); only then is the event loop shut down, so nothing runs on a dead loop.
    acceptTask.cancel()
    try? await listener.close()
    await acceptTask.value
    try await group.shutdownGracefully()
  }

  /// Serves one keep-alive connection: request parts in, one response per request out.
  private static func serve(
    _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
    service: GraphService
  ) async {
    let channel = connection.channel
    try? await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead?
      var body = ByteBuffer()
      for try await part in inbound {
        switch part {
        case .head(let requestHead):
          head = requestHead
          body.clear()
          if requestHead.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            try await outbound.write(
              .head(HTTPResponseHead(version: requestHead.version, status: .continue)))
          }
        case .body(var chunk):
          body.writeBuffer(&chunk)
        case .end:
          guard let requestHead = head else { continue }
          head = nil
          var headers: [String: String] = [:]
          for (name, value) in requestHead.headers {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
          }
          let request = EmulatorHTTPRequest(
            method: requestHead.method.rawValue, target: requestHead.uri, headers: headers,
            body: Data(body.readableBytesView))
          switch await service.handle(request) {
          case .respond(let response, let delay):
            if delay > .zero { try await Task.sleep(for: delay) }
            var responseHead = HTTPResponseHead(
              version: requestHead.version, status: HTTPResponseStatus(statusCode: response.status))
            for (name, value) in response.headers {
              responseHead.headers.add(name: name, value: value)
            }
            responseHead.headers.replaceOrAdd(
              name: "Content-Length", value: "\(response.body.count)")
            let keepAlive = requestHead.isKeepAlive
            responseHead.headers.replaceOrAdd(
              name: "Connection", value: keepAlive ? "keep-alive" : "close")
            try await outbound.write(.head(responseHead))
            if !response.body.isEmpty {
              try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
            }
            try await outbound.write(.end(nil))
            if !keepAlive { return }
          case .reset:
            // SO_LINGER 0 turns the close into a TCP RST: the client sees a reset, not an answer.
            try? await (channel as? any SocketOptionProvider)?
              .setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            return
          case .hold(let duration):
            try? await Task.sleep(for: duration)
            return
          }
        }
      }
    }
  }
}
