import Synchronization

/// Lets another thread stop blocking socket operations: they check it at least every
/// ``KafkaSocket/interruptCheckInterval`` and then fail with
/// ``KafkaGroupClientError/Code/cancelled``.
final class IOInterrupt: Sendable {
    private let flag = Atomic<Bool>(false)

    var isInterrupted: Bool { flag.load(ordering: .acquiring) }

    func interrupt() { flag.store(true, ordering: .releasing) }
}
