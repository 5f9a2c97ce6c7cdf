import Synchronization

/// Permits a test hands out to let held work go, one each: the group-commit queues' tests hold a
/// batch in flight until they let it go.
final class Permits: Sendable {
    private let free = Mutex(0)

    func letGo(_ count: Int) { free.withLock { $0 += count } }

    /// Waits until a permit is free, and takes it.
    func take() async {
        while !free.withLock({ free in
            guard free > 0 else { return false }
            free -= 1
            return true
        }) { await Task.yield() }
    }
}
