import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Station
import Store
import StructureConfig

/// `GET /healthz`: each component's state and why; 200 when all are up, 503 otherwise,
/// with the JSON naming the component down. `guichet doctor` runs the same checks.
struct HealthController<Context: RequestContext> {
    let office: Office

    func addRoutes(to router: Router<Context>) {
        router.get("healthz", use: health)
    }

    struct Health: Encodable {
        let status: String
        let structure: String
        let time: String
        let down: [String]
        let components: [String: ComponentCheck]
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        let components = await office.componentChecks()
        let down = components.filter { $0.value.status == .down }.keys.sorted()
        return try .json(
            Health(status: down.isEmpty ? "up" : "down", structure: office.structure.id, time: Timestamp.format(office.clock(), in: office.zone),
                   down: down, components: components),
            status: down.isEmpty ? .ok : .serviceUnavailable)
    }
}
