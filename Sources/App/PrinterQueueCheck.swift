import Devices
import StructureConfig

/// `kiosk.printerQueue` against CUPS itself: a queue CUPS does not know is an error (every
/// print would fail); CUPS unreachable is only a warning (it may start later).
public enum PrinterQueueCheck {
    public enum Finding: Equatable {
        case fine
        case unknownQueue(String)
        case unreachable(String)
    }

    public static func check(_ kiosk: KioskSettings) -> Finding {
        guard let wanted = kiosk.printerQueue else { return .fine }
        let queues: [PrintQueue]
        do { queues = try CupsPrinter(server: kiosk.cupsServer).queues() } catch {
            return .unreachable(
                "warning: key 'kiosk.printerQueue': CUPS\(kiosk.cupsServer.map { " at \($0)" } ?? "") is not reachable (\(error.french)), so queue '\(wanted)' could not be checked")
        }
        guard queues.contains(where: { $0.name == wanted }) else {
            let known = queues.map(\.name).joined(separator: ", ")
            return .unknownQueue("key 'kiosk.printerQueue': CUPS has no queue '\(wanted)' (it has: \(known.isEmpty ? "none" : known))")
        }
        return .fine
    }
}
