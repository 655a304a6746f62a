import CCurl
import Foundation
import Synchronization

/// One libcurl multi handle and the thread that drives it: the thread sleeps in `curl_multi_poll` (which
/// waits on exactly the sockets and timers libcurl needs) and is woken by `curl_multi_wakeup` when a
/// transfer is added, resumed or stopped. Nothing polls on a timer: an idle multi costs no CPU, and a
/// transfer waiting for a slow answer costs nothing until its socket is readable.
///
/// Why a thread and `curl_multi_poll` rather than `curl_multi_socket_action` on the event loop: libcurl
/// calls are then confined to one thread, which is what libcurl requires of a handle, with no lock around
/// it, and the loop is a dozen lines; the per-transfer cost is one wake-up either way.
///
/// The multi's connection cache is its keep-alive pool: a `CurlTransport` keeps one multi per TLS identity,
/// so a connection made with other certificates (or an older generation of the same files) never carries a
/// request.
final class CurlMulti: @unchecked Sendable {
    // `handle` is used by the thread only (and by `deinit` after it ended), except `curl_multi_wakeup`, which
    // libcurl allows from any thread; `active` is the thread's own; `inbox` is a Mutex. That is what makes
    // the unchecked Sendable sound.
    private let handle: UnsafeMutableRawPointer
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private let inbox = Mutex(Inbox())
    private let opened: ConnectionCount
    /// Longest sleep with nothing to time out: only a wake-up ends it earlier.
    private static let idleWait = 60_000

    private struct Inbox {
        var added: [CurlTransfer] = []
        var aborted: [CurlTransfer] = []
        var resumed: [CurlTransfer] = []
        var retired = false
        var stopped = false
    }

    /// `opened` counts the connections the multi opens (tests and the benchmark read it through the transport).
    init(countingInto opened: ConnectionCount) throws(TransportError) {
        CurlGlobal.initialize()
        guard let handle = curl_multi_init() else { throw TransportError(.other, "libcurl could not make a multi handle", delivery: .notSent) }
        self.handle = handle
        self.opened = opened
        // Idle connections kept for reuse (libcurl's default is four per added handle).
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, 32)
        let thread = Thread { [self] in run() }
        thread.name = "curl-multi"
        thread.start()
    }

    deinit {
        // The thread has ended (it holds `self` while it runs); any cached connections close here.
        curl_multi_cleanup(handle)
    }

    /// Hands a transfer to the thread; false if the multi has stopped (retired and drained).
    func add(_ transfer: CurlTransfer) -> Bool {
        let accepted = inbox.withLock { box -> Bool in
            if box.stopped { return false }
            box.added.append(transfer)
            return true
        }
        if accepted { curl_multi_wakeup(handle) }
        return accepted
    }

    func abort(_ transfer: CurlTransfer) { post { $0.aborted.append(transfer) } }
    func resume(_ transfer: CurlTransfer) { post { $0.resumed.append(transfer) } }

    /// Lets the running transfers finish, then ends the thread (a rotated identity, a released transport).
    func retire() { post { $0.retired = true } }

    private func post(_ change: (inout Inbox) -> Void) {
        let live = inbox.withLock { box -> Bool in
            if box.stopped { return false }
            change(&box)
            return true
        }
        if live { curl_multi_wakeup(handle) }
    }

    private func run() {
        var running: Int32 = 0
        while true {
            let isIdle = active.isEmpty
            let work: Inbox? = inbox.withLock { box in
                let taken = box
                box.added = []
                box.aborted = []
                box.resumed = []
                if box.retired, isIdle, taken.added.isEmpty {
                    box.stopped = true
                    return nil
                }
                return taken
            }
            guard let work else { return }
            let now = ContinuousClock.now
            for transfer in work.added {
                transfer.headDeadline = now + transfer.limits.responseHeaderTimeout
                if transfer.abortRequested {
                    // Cancelled before it started: nothing was written.
                    transfer.complete(nil)
                    continue
                }
                guard curl_multi_add_handle(handle, transfer.easy) == CURLM_OK else {
                    transfer.abort(.other, "libcurl refused the transfer")
                    transfer.complete(nil)
                    continue
                }
                active[transfer.easy] = transfer
            }
            for transfer in work.resumed where active[transfer.easy] === transfer {
                transfer.resumeOnCurlThread()
            }
            for transfer in work.aborted where active[transfer.easy] === transfer {
                finish(transfer, nil)
            }
            _ = curl_multi_perform(handle, &running)
            collectFinished()
            // The response-head limit is this loop's own timer; libcurl times everything else.
            var wait = Self.idleWait
            let checked = ContinuousClock.now
            for transfer in Array(active.values) where !transfer.headDelivered {
                if checked >= transfer.headDeadline {
                    transfer.abort(.responseTimeout, "")
                    finish(transfer, nil)
                } else {
                    wait = min(wait, CurlTransfer.milliseconds(transfer.headDeadline - checked))
                }
            }
            _ = curl_multi_poll(handle, nil, 0, Int32(wait), nil)
        }
    }

    private func collectFinished() {
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var left: Int32 = 0
        // Message pointers die when their handle is removed: read them all first.
        while let message = curl_multi_info_read(handle, &left) {
            if ccurl_message_is_done(message) != 0, let easy = message.pointee.easy_handle {
                done.append((easy, ccurl_message_result(message)))
            }
        }
        for (easy, code) in done {
            if let transfer = active[easy] { finish(transfer, code) }
        }
    }

    private func finish(_ transfer: CurlTransfer, _ code: CURLcode?) {
        _ = curl_multi_remove_handle(handle, transfer.easy)
        active[transfer.easy] = nil
        opened.value.add(transfer.newConnections, ordering: .relaxed)
        transfer.complete(code)
    }
}

/// libcurl's process-wide initialisation, once, before the first handle.
enum CurlGlobal {
    private static let done: Bool = {
        // libcurl is told not to touch signals (CURLOPT_NOSIGNAL, required with threads), so a write to a
        // connection the peer closed must not kill the process: SIGPIPE is ignored, as servers do.
        signal(SIGPIPE, SIG_IGN)
        return ccurl_global_init() == CURLE_OK
    }()

    static func initialize() { _ = done }
}
