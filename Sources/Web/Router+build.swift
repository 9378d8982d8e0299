import OfficeKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Store
import StructureConfig

/// Every route of the daemon. The OpenAPI test walks `router.routes`.
public func buildRouter(office: Office) -> Router<GuichetRequestContext> {
    let router = Router(context: GuichetRequestContext.self)
    let methods = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(routes: methods))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: SessionMiddleware(office: office))
    HealthController(office: office).addRoutes(to: router)
    CalendarController(office: office).addRoutes(to: router)
    HomeController(office: office).addRoutes(to: router)
    PublicPage(office: office).addRoutes(to: router)
    KioskPages(office: office).addRoutes(to: router)
    VisioPages(office: office).addRoutes(to: router)
    router.get("static/{file}") { _, context in
        guard let response = StaticFiles.response(for: try context.parameters.require("file")) else { throw HTTPError(.notFound) }
        return response
    }
    SignInController(office: office).addRoutes(to: router)
    AgendaPages(office: office).addRoutes(to: router)
    BookingPages(office: office).addRoutes(to: router)
    HoursPages(office: office).addRoutes(to: router)
    PermanencePages(office: office).addRoutes(to: router)
    FollowUpPages(office: office).addRoutes(to: router)
    MandatePages(office: office).addRoutes(to: router)
    AgentPages(office: office).addRoutes(to: router)
    ReportPages(office: office).addRoutes(to: router)
    let api = router.group("api/v1").add(middleware: APIAccessMiddleware(office: office))
    StructureController(office: office).addRoutes(to: api)
    OpeningHoursController(office: office).addRoutes(to: api)
    ClosureController(office: office).addRoutes(to: api)
    SpecialistController(office: office).addRoutes(to: api)
    PermanenceController(office: office).addRoutes(to: api)
    VisioSlotController(office: office).addRoutes(to: api)
    AvailabilityController(office: office).addRoutes(to: api)
    BookingController(office: office).addRoutes(to: api)
    methods.load(router.routes)
    return router
}
