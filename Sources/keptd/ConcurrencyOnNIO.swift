import CKeptRuntime
import NIOCore
import NIOPosix

/// Swift concurrency's jobs on NIO's event-loop threads, which sleep in epoll until there is work:
/// no second thread pool beside them, and no libdispatch pool monitor waking keptd every second.
///
/// NIO installs itself in the runtime's global-enqueue hook, which it finds with `dlsym`. In the
/// package's keptd the Swift runtime is linked in and its symbols are not exported, so `dlsym` finds
/// nothing; the hook's address then comes from the link itself, and the same enqueue NIO would
/// install goes in it: each job to an event loop of the singleton group (the current one when
/// there is one).
enum ConcurrencyOnNIO {
    typealias EnqueueHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// Whether the takeover happened. Called once, first thing.
    static func install() -> Bool {
        if NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() { return true }
        guard let slot = kept_concurrency_enqueue_hook().map(UnsafeMutableRawPointer.init),
              slot.load(as: UnsafeRawPointer?.self) == nil else { return false }
        let hook: EnqueueHook = { job, _ in
            MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(ExecutorJob(job))
        }
        withUnsafeBytes(of: hook) { slot.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return true
    }
}
