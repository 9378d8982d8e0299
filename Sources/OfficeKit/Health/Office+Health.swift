import Agenda
import Foundation
import Station
import Store
import StructureConfig

extension Office {
    /// Every component this daemon depends on, checked for real: the database (a committed
    /// write), the disk, the agenda, and when configured the stations' printer, scanner and
    /// last wipes, the visio's GStreamer elements, and the network's database.
    public func componentChecks() async -> [String: ComponentCheck] {
        var components: [String: ComponentCheck] = [:]
        components["database"] = await ComponentChecks.database(database)
        if let folder = database.folder {
            components["disk"] = ComponentChecks.disk(folder: folder, minimumFree: Int64(config.health.minimumFreeMegabytes) * 1024 * 1024)
        }
        do {
            let plan = try await database.hoursPlan(default: structure, now: clock())
            components["agenda"] = .up("opening hours revision \(plan.revision), \(plan.hours.weeklyMinutes / 60) h a week")
        } catch {
            components["agenda"] = .down("the agenda cannot be read: \(error)", fix: "check the database (guichet doctor)")
        }
        if !stations.isEmpty, let devices = stationDevices {
            if let printer = devices.printer {
                components["printing"] = ComponentChecks.printing(printer, queue: devices.queue, server: config.kiosk.cupsServer)
            }
            if let scanner = devices.scanner {
                components["scanning"] = healthCache.value("scanning", maxAge: 60) { ComponentChecks.scanning(scanner, device: devices.scannerDevice) }
            }
            for (id, station) in stations {
                components["station:\(id)"] = ComponentChecks.station(await station.status(), lastWipe: await station.lastWipe)
            }
        }
        if let network = database.network {
            do {
                components["network"] = .up(try await network.check())
            } catch {
                components["network"] = .down(
                    "the network's PostgreSQL database does not answer: appointments with a shared specialist are refused (503); the station and the structure's own appointments work",
                    fix: "check the network's PostgreSQL server and the `database` URL (pg_isready); nothing needs restarting here once it is back")
            }
        }
        if visio != nil {
            components["visio"] = healthCache.value("visio", maxAge: 3600) { ComponentChecks.gstreamer() }
        }
        return components
    }
}
