import Foundation
import Logging
import ServiceLifecycle
import Station
import OfficeKit

/// Drives the self-service stations inside the daemon: at start, every session a crash or a
/// kill left behind is wiped before anyone is served; then the inactivity clock ticks once
/// a second.
struct StationTicker: Service {
    let office: Office
    let logger: Logger

    func run() async throws {
        for station in office.stations.values {
            await station.recover()
            let status = await station.status()
            if let why = status.outOfService { logger.critical("station out of service", metadata: ["station": "\(station.station)", "why": "\(why)"]) }
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for station in office.stations.values { await station.tick() }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}
