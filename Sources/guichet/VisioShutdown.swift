import ServiceLifecycle
import Web

/// At start, closes the records of calls a crash left open; when the daemon stops, ends the
/// calls before the HTTP server waits for its connections (records closed, sockets closed).
struct VisioShutdown: Service {
    let office: Office

    func run() async throws {
        await office.visio?.recover()
        try? await gracefulShutdown()
        await office.visio?.endAll()
    }
}
