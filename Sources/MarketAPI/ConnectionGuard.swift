import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// How long one HTTP connection may take over each part of a request, so that a client that is
/// slow or silent on purpose (slowloris, a body that never completes) cannot hold a socket, a
/// decoder or a route's task for longer than these.
public struct ConnectionTimeouts: Sendable, Equatable {
    /// No request byte since the connection opened or its last answer ended: the connection is closed.
    public var idleMs: Int
    /// From a request's first byte to the end of its header: past it the connection is closed.
    public var headerMs: Int
    /// From the end of the header to the end of the body: past it the route reads a 408 problem
    /// instead of the rest of the body, and the connection is closed after the answer.
    public var bodyMs: Int
    /// From the end of the header to the first byte of the answer: past it the client gets a 503
    /// problem and the connection is closed. The route's work is not stopped; a write it commits
    /// after the deadline is found again by replaying its Idempotency-Key.
    public var requestDeadlineMs: Int

    public static let idleMsDefault = 60_000
    public static let headerMsDefault = 10_000
    public static let bodyMsDefault = 20_000
    public static let requestDeadlineMsDefault = 30_000
    /// The longest any of them may be set to: an hour.
    public static let msLimit = 3_600_000

    public init(
        idleMs: Int = Self.idleMsDefault, headerMs: Int = Self.headerMsDefault, bodyMs: Int = Self.bodyMsDefault,
        requestDeadlineMs: Int = Self.requestDeadlineMsDefault
    ) {
        self.idleMs = idleMs
        self.headerMs = headerMs
        self.bodyMs = bodyMs
        self.requestDeadlineMs = requestDeadlineMs
    }
}

/// Enforces `ConnectionTimeouts` on one HTTP/1 connection, and answers a request head the
/// decoder refuses (too large, malformed) with a 400 problem instead of Hummingbird's empty one.
///
/// It sits after the HTTP decoder, where it sees the request's parts and the answer's, and puts a
/// `RequestBytesWatcher` in front of the decoder: the first byte of a request ends the idle wait
/// and starts the header's clock, which parts alone cannot tell (a slow header yields no part).
/// Everything here runs on the connection's event loop.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Where the request being read stands; each phase but `answering` has a clock.
    private enum Phase { case idle, header, body, answering }

    private let timeouts: ConnectionTimeouts
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var phase = Phase.idle
    private var phaseTimer: Scheduled<Void>?
    private var deadlineTimer: Scheduled<Void>?
    private var requestEnded = false
    private var answerStarted = false
    private var answerEnded = true
    /// The guard answered the current request itself; what the route writes later is dropped.
    private var answeredByGuard = false
    /// Requests pipelined behind the one being answered, oldest first: whether each one's end
    /// has arrived (one flag each, so that no queued request's end is lost).
    private var pipelined: [Bool] = []

    init(timeouts: ConnectionTimeouts, logger: Logger) {
        self.timeouts = timeouts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            try context.pipeline.syncOperations.addHandler(RequestBytesWatcher(owner: self), position: .first)
        } catch {
            logger.warning("connection guard: no byte watcher, so the idle clock also runs while a header is read", metadata: ["error": "\(error)"])
        }
        if context.channel.isActive { enter(.idle) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        enter(.idle)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    /// Called by the watcher for every read of raw bytes, before they are decoded.
    func requestBytesArrived() {
        if phase == .idle { enter(.header) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            if answerEnded { startRequest() } else { pipelined.append(false) }
        case .body:
            break
        case .end:
            // HTTP/1 requests come whole and in order: an end is the newest request's.
            if !pipelined.isEmpty {
                pipelined[pipelined.count - 1] = true
            } else {
                requestEnded = true
                if phase == .body { enter(.answering) }
                if answerEnded { enter(.idle) }
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if answeredByGuard {
            promise?.succeed(())
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.kind != .informational { answerStarted = true }
            // A live stream (Server-Sent Events) answers for as long as it runs: its first byte met the deadline.
            if head.headerFields[.contentType]?.hasPrefix("text/event-stream") == true {
                deadlineTimer?.cancel()
                deadlineTimer = nil
            }
        case .body:
            break
        case .end:
            answerEnded = true
            deadlineTimer?.cancel()
            deadlineTimer = nil
            if !pipelined.isEmpty {
                let ended = pipelined.removeFirst()
                startRequest()
                if ended {
                    requestEnded = true
                    enter(.answering)
                }
            } else if requestEnded {
                enter(.idle)
            }
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, phase == .idle || phase == .header, answerEnded {
            let detail =
                (error as? HTTPParserError) == .headerOverflow
                ? "the request line or a header is too long, or the header is too large"
                : "the request's head is not valid HTTP/1.1 (\(error))"
            answerAndClose(
                Problem(status: .badRequest, code: "bad_request_head", title: "The request could not be read", detail: detail),
                retryAfterSeconds: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    // MARK: - Clocks

    private func startRequest() {
        requestEnded = false
        answerStarted = false
        answerEnded = false
        enter(.body)
        deadlineTimer?.cancel()
        deadlineTimer = schedule(afterMs: timeouts.requestDeadlineMs) { [self] in deadlinePassed() }
    }

    private func enter(_ next: Phase) {
        phase = next
        phaseTimer?.cancel()
        phaseTimer = nil
        let ms: Int
        switch next {
        case .idle: ms = timeouts.idleMs
        case .header: ms = timeouts.headerMs
        case .body: ms = timeouts.bodyMs
        case .answering: return
        }
        phaseTimer = schedule(afterMs: ms) { [self] in phaseTimedOut(next) }
    }

    private func schedule(afterMs ms: Int, _ task: @escaping () -> Void) -> Scheduled<Void>? {
        guard let context else { return nil }
        return context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(ms)), task)
    }

    private func cancelTimers() {
        phaseTimer?.cancel()
        phaseTimer = nil
        deadlineTimer?.cancel()
        deadlineTimer = nil
    }

    private func phaseTimedOut(_ timed: Phase) {
        phaseTimer = nil
        guard let context, phase == timed else { return }
        switch timed {
        case .idle:
            context.close(promise: nil)
        case .header:
            logger.info("connection closed: the request header did not arrive in time", metadata: ["ms": "\(timeouts.headerMs)"])
            context.close(promise: nil)
        case .body:
            // The route (or the drain after its answer) reads this instead of the rest of the body;
            // Hummingbird closes the connection once the answer is written.
            enter(.answering)
            context.fireErrorCaught(
                Problem(
                    status: .requestTimeout, code: "body_timeout", title: "The request body did not arrive in time",
                    detail: "the body must arrive whole within \(timeouts.bodyMs) ms of the header"))
        case .answering:
            break
        }
    }

    private func deadlinePassed() {
        deadlineTimer = nil
        guard let context, !answerEnded else { return }
        logger.warning("request deadline passed: answered 503", metadata: ["ms": "\(timeouts.requestDeadlineMs)"])
        if answerStarted {
            context.close(promise: nil)
            return
        }
        answerAndClose(
            Problem(
                status: .serviceUnavailable, code: "deadline_exceeded", title: "The answer took too long",
                detail: "the server could not answer within \(timeouts.requestDeadlineMs) ms; try again shortly"),
            retryAfterSeconds: Problem.retryAfterSecondsUnavailable)
    }

    /// Writes `problem` as the answer to the current request, then closes the connection.
    private func answerAndClose(_ problem: Problem, retryAfterSeconds: Int?) {
        guard let context else { return }
        cancelTimers()
        answeredByGuard = true
        var problem = problem
        if let retryAfterSeconds { problem.headers[.retryAfter] = String(retryAfterSeconds) }
        let body = (try? AppRequestContext.jsonEncoder.encode(problem)) ?? Data()
        var headers = problem.headers
        headers[.contentType] = "application/problem+json"
        headers[.contentLength] = String(body.count)
        headers[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: problem.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// Tells its `ConnectionGuard` when request bytes arrive, before the HTTP decoder sees them.
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private weak var owner: ConnectionGuard?

    init(owner: ConnectionGuard) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.requestBytesArrived()
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

@available(*, unavailable)
extension RequestBytesWatcher: Sendable {}
