import Agenda
import Foundation
import Hummingbird
import Store

/// `GET /healthz`: each component's state; 200 when all are up, 503 otherwise.
struct HealthController<Context: RequestContext> {
    let office: Office

    func addRoutes(to router: Router<Context>) {
        router.get("healthz", use: health)
    }

    struct Component: Encodable {
        let status: String
        let detail: String
    }

    struct Health: Encodable {
        let status: String
        let structure: String
        let time: String
        let components: [String: Component]
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        var components: [String: Component] = [:]
        let now = office.clock()
        do {
            let mode = try await office.database.journalMode()
            components["database"] = Component(status: "up", detail: "SQLite, journal \(mode)")
        } catch {
            components["database"] = Component(status: "down", detail: "\(error)")
        }
        do {
            let plan = try await office.database.hoursPlan(default: office.structure, now: now)
            components["agenda"] = Component(status: "up", detail: "opening hours revision \(plan.revision), \(plan.hours.weeklyMinutes / 60) h a week")
        } catch {
            components["agenda"] = Component(status: "down", detail: "\(error)")
        }
        components["config"] = Component(status: "up", detail: "\(office.structure.partners.count) partners, \(office.structure.lifeSituations.count) life situations")
        let up = components.values.allSatisfy { $0.status == "up" }
        return try .json(
            Health(status: up ? "up" : "down", structure: office.structure.id, time: Timestamp.format(now, in: office.zone), components: components),
            status: up ? .ok : .serviceUnavailable)
    }
}
