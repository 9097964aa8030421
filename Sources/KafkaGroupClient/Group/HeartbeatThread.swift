import Dispatch
import Foundation
import Logging
import Synchronization

/// The member's heartbeat loop, on its own `Thread` with its own coordinator connection, so
/// heartbeats go out on time however busy Swift's cooperative pool or the owner is. Like
/// Kafka's heartbeat thread it also looks the coordinator up again when it is lost.
final class HeartbeatThread: Sendable {
    private let core: GroupMemberCore
    private let wake = DispatchSemaphore(value: 0)
    private let interrupt = IOInterrupt()
    private let exit = Mutex<(exited: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(core: GroupMemberCore) {
        self.core = core
    }

    func start() {
        let thread = Thread { [self] in
            self.loop()
            let waiters = self.exit.withLock { state in
                state.exited = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = "kafka-coordinator-heartbeat-thread | \(core.configuration.groupId)"
        thread.start()
    }

    /// Wakes the thread to re-read the state (heartbeats enabled, coordinator found, …).
    func poke() { wake.signal() }

    /// Asks the thread to exit and interrupts its I/O; see ``waitUntilExited()``.
    func stop() {
        core.state.withLock { $0.heartbeatStopped = true }
        interrupt.interrupt()
        wake.signal()
    }

    func waitUntilExited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = exit.withLock { state in
                if !state.exited { state.waiters.append(continuation) }
                return state.exited
            }
            if exited { continuation.resume() }
        }
    }

    private func loop() {
        let configuration = core.configuration
        let logger = core.logger
        var connection: KafkaBrokerConnection?
        var connectionEpoch: UInt64 = 0
        var discoveryIndex = 0
        defer { connection?.close() }

        while true {
            let now = ContinuousClock.now
            let action = core.state.withLock {
                $0.nextHeartbeatAction(now: now, configuration: configuration, bootstrap: core.bootstrapBrokers)
            }
            switch action {
            case .exit:
                return
            case .wait(let timeout):
                if let timeout {
                    _ = wake.wait(timeout: .now() + .nanoseconds(max(0, timeout.milliseconds) * 1_000_000 + 1_000_000))
                } else {
                    wake.wait()
                }
            case .sessionExpired:
                logger.warning("No heartbeat response within the session timeout; looking for the coordinator again")
                core.runLoopWake.notify()
            case .discoverCoordinator(let candidates):
                discoveryIndex += 1
                do {
                    let address = try GroupCoordinatorLookup.find(
                        groupId: configuration.groupId, candidates: candidates, startIndex: discoveryIndex,
                        identity: configuration.identity, connectTimeout: configuration.connectionSetupTimeout,
                        requestTimeout: configuration.requestTimeout, interrupt: interrupt)
                    core.state.withLock { $0.setCoordinator(address, now: .now) }
                    logger.info("Discovered group coordinator \(address) (heartbeat thread)")
                    core.runLoopWake.notify()
                } catch {
                    logger.debug("Coordinator lookup from the heartbeat thread failed: \(error.message)")
                }
            case .send(let target):
                if connection == nil || connectionEpoch != target.epoch || connection?.isUsable != true {
                    connection?.close()
                    connection = nil
                }
                let result = Result { () throws(KafkaGroupClientError) -> HeartbeatResponse in
                    let open: KafkaBrokerConnection
                    if let connection {
                        open = connection
                    } else {
                        open = try KafkaBrokerConnection.open(
                            to: target.coordinator, identity: configuration.identity,
                            connectTimeout: configuration.connectionSetupTimeout,
                            requestTimeout: configuration.heartbeatRequestTimeout, interrupt: interrupt)
                        connection = open
                        connectionEpoch = target.epoch
                    }
                    let request = HeartbeatRequest(
                        groupId: configuration.groupId, generationId: target.generationId, memberId: target.memberId)
                    return try open.send(request, timeout: configuration.heartbeatRequestTimeout, interrupt: interrupt).response
                }
                if case .failure = result {
                    connection?.close()
                    connection = nil
                }
                let outcome = core.state.withLock {
                    $0.applyHeartbeat(result, target: target, now: .now, configuration: configuration)
                }
                switch outcome {
                case .ok:
                    logger.trace("Heartbeat ok", metadata: [KafkaGroupLoggingKeys.generation: "\(target.generationId)"])
                case .ignored(let why):
                    logger.debug("Ignored heartbeat result: \(why)")
                case .failed(let why):
                    logger.warning("Heartbeat failed: \(why)")
                case .wakeRunLoop(let why):
                    logger.info("Heartbeat: \(why)")
                    core.runLoopWake.notify()
                }
            }
        }
    }
}
