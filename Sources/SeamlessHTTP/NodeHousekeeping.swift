import Logging
import Seamless
import ServiceLifecycle

/// What a serving node does besides answering: signs a checkpoint every `checkpointInterval` while entries
/// arrive, purges received records whose data life ended every `purgeInterval`, and every `syncInterval`
/// pulls its peers' catalogs, witnesses their checkpoints and syncs its subscriptions. Stops at graceful
/// shutdown.
public struct NodeHousekeeping: Service {
    let log: AuditLog
    let engine: ExchangeEngine
    let checkpointInterval: Duration
    let purgeInterval: Duration
    let syncInterval: Duration
    let logger: Logger

    /// Creates the housekeeping of `engine`.
    public init(
        log: AuditLog, engine: ExchangeEngine, checkpointInterval: Duration, purgeInterval: Duration,
        syncInterval: Duration, logger: Logger
    ) {
        self.log = log
        self.engine = engine
        self.checkpointInterval = checkpointInterval
        self.purgeInterval = purgeInterval
        self.syncInterval = syncInterval
        self.logger = logger
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdownIgnoringErrors {
                    await log.checkpointPeriodically(every: checkpointInterval)
                }
            }
            group.addTask {
                await every(syncInterval) {
                    for (peer, problem) in await engine.syncPeers().sorted(by: { $0.key < $1.key }) {
                        logger.warning(
                            "sync with a peer failed; backing off",
                            metadata: ["peer": "\(peer)", "code": "\(problem.code)", "reason": "\(problem.reason)"])
                    }
                }
            }
            group.addTask {
                await every(purgeInterval) {
                    do {
                        let purged = try await engine.purgeExpired()
                        if purged > 0 { logger.info("purged received records", metadata: ["requests": "\(purged)"]) }
                    } catch {
                        logger.error(
                            "purging expired records failed; trying again later", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }
}

/// Runs `body`, then waits `interval`, until graceful shutdown.
private func every(_ interval: Duration, _ body: @escaping @Sendable () async -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        await body()
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        } catch {
            return
        }
    }
}

/// Runs `body` until graceful shutdown cancels it.
private func cancelWhenGracefulShutdownIgnoringErrors(_ body: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown { await body() }
}
