#if canImport(Glibc)
import Glibc
#endif

/// Runs `work(0)`, `work(1)`, … `work(count - 1)` at once, each on a thread of its own (the
/// caller's thread takes the first), and returns when all are done.
///
/// Plain threads that end with their work: nothing is left behind to wake an idle daemon later.
func runConcurrently(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
    final class Job: @unchecked Sendable {
        let work: @Sendable (Int) -> Void, index: Int
        init(_ work: @escaping @Sendable (Int) -> Void, _ index: Int) { self.work = work; self.index = index }
    }
    var threads: [pthread_t] = []
    for index in 1..<max(count, 1) {
        let job = Unmanaged.passRetained(Job(work, index)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            job.work(job.index)
            return nil
        }, job)
        if started == 0 {
            threads.append(thread)
        } else {
            Unmanaged<Job>.fromOpaque(job).release()
            work(index)  // no thread to be had: do it here
        }
    }
    if count > 0 { work(0) }
    for thread in threads { pthread_join(thread, nil) }
}

/// Processors online, at least 1.
var processorsOnline: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

/// One slot per thread of `runConcurrently`, each written by its own thread, read after all are done.
final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Value?>
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func set(_ i: Int, _ value: Value?) { slots[i] = value }

    /// The value of slot `i`, leaving the slot empty.
    func take(_ i: Int) -> Value? {
        defer { slots[i] = nil }
        return slots[i]
    }
}
