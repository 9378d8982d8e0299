import ServiceLifecycle
import OfficeKit

/// At start, closes the records of calls a crash left open and loads the media engine; when the daemon stops, ends the
/// calls before the HTTP server waits for its connections (records closed, sockets closed).
struct VisioLifecycle: Service {
    let office: Office

    func run() async throws {
        await office.visio?.recover()
        await office.visio?.warmUp()
        try? await gracefulShutdown()
        await office.visio?.endAll()
    }
}
