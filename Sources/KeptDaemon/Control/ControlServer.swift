import CSystemd
import Foundation
import KeptClient
import KeptCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The control socket: JSON-RPC 2.0, one object per line, for the daemon's own user only.
///
/// Each connection is handled in its own task with its own `catch`, so one bad client never
/// disturbs another; lines are capped at 64 KiB, and a connection that does not finish a request
/// within 10 s is closed.
struct ControlServer: Service {
    let listen: Listen
    let keeper: Keeper
    let router = Router()
    let logger: Logger
    /// Called once the socket accepts connections.
    let onListening: @Sendable () async -> Void

    static let requestTimeout: TimeAmount = .seconds(10)

    func run() async throws {
        // One event loop accepts and serves: a connection is read on the thread that accepted it,
        // and the task serving it runs there too (Swift's jobs go to the current loop), so a
        // request never waits for another thread to wake. The Keeper answers one request at a
        // time whatever the loop; a second loop would only add hand-offs.
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let bootstrap = ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                try sync.addHandler(ByteToMessageHandler(NIOSplitLinesMessageDecoder(omittingEmptySubsequences: true),
                                                         maximumBufferSize: RPC.maxRequestBytes))
                try sync.addHandler(RequestDeadlineHandler(timeout: Self.requestTimeout))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        switch listen {
        case .path(let path):
            try Self.prepareFolder(of: path)
            server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            chmod(path, 0o600)
        case .inherited(let fd):
            server = try await bootstrap.bind(fd, childChannelInitializer: initializer)
        }
        await onListening()
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound.cancelOnGracefulShutdown() {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
        if case .path(let path) = listen { unlink(path) }
    }

    /// The socket's folder, created 0700 where it is missing (the socket itself is 0600, and
    /// answers only its own user whatever the folder allows).
    static func prepareFolder(of path: String) throws {
        if let (folder, reason) = makeFolders((path as NSString).deletingLastPathComponent) {
            throw DaemonError("cannot create \(folder): \(reason)")
        }
        // If something already answers on the socket, it is another daemon: leave it alone.
        if Self.somethingListens(at: path) {
            throw DaemonError("another keptd is already listening on \(path)")
        }
    }

    static func somethingListens(at path: String) -> Bool {
        guard case .success(let fd) = UnixSocket.connect(to: path) else { return false }
        close(fd)
        return true
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            let uid = try await Self.peerUID(connection.channel)
            try await connection.executeThenClose { inbound, outbound in
                guard uid == getuid() else {
                    logger.warning("refused a client of uid \(uid)", metadata: ["KEPT_EVENT": "peer-refused"])
                    try await outbound.write(Self.line(RPC.response(id: Self.null, error: RPC.ErrorObject(.forbidden, "this socket is for uid \(getuid()) only"))))
                    return
                }
                do {
                    for try await line in inbound {
                        if let reply = await router.answer(Array(line.readableBytesView), keeper: keeper) {
                            try await outbound.write(Self.line(reply))
                        }
                    }
                } catch is ByteToMessageDecoderError.PayloadTooLargeError {
                    logger.notice("refused a request over 64 KiB", metadata: ["KEPT_EVENT": "refused"])
                    try await outbound.write(Self.line(RPC.response(id: Self.null, error: RPC.ErrorObject(.invalidRequest, "request larger than 64 KiB"))))
                }
            }
        } catch {
            logger.debug("connection ended: \(error)")
        }
    }

    static let null = Array("null".utf8)

    static func line(_ bytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    static func peerUID(_ channel: any Channel) async throws -> uid_t {
        guard let provider = channel as? any SocketOptionProvider else { throw DaemonError("not a socket") }
        let cred: kept_ucred = try await provider.unsafeGetSocketOption(level: .socket, name: .init(rawValue: SO_PEERCRED)).get()
        return cred.uid
    }
}

/// Where the control socket listens.
public enum Listen: Sendable {
    case path(String)
    /// A socket systemd passed; its file is systemd's, never ours to remove.
    case inherited(Int32)
}

/// Closes a connection that has not completed a request line within `timeout` of connecting or of
/// its last request: idle clients and byte-a-second senders alike.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let timeout: TimeAmount
    var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) { if context.channel.isActive { arm(context) } }
    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        arm(context)
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    func arm(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
