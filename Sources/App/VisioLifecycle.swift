import ServiceLifecycle
import OfficeKit

/// At start, closes the records of calls a crash left open and loads the media engine; when the daemon stops, ends
/// what is left of the calls (`VisioEndsFirst` ended them already when the daemon runs under `runUntilSignalled`).
struct VisioLifecycle: Service {
    let office: Office

    func run() async throws {
        await office.visio?.recover()
        await office.visio?.warmUp()
        try? await gracefulShutdown()
        await office.visio?.endAll()
    }
}

/// Ends the calls when the daemon is asked to stop, before its server closes the specialists'
/// sockets: each page is told the call has ended (records closed) instead of losing its connection.
struct VisioEndsFirst: Service {
    let office: Office

    func run() async throws {
        try? await gracefulShutdown()
        await office.visio?.endAll()
    }
}
