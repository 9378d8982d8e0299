import OfficeKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Store
import StructureConfig

/// A station on its own PC: the kiosk's pages and assets only, served on 127.0.0.1 to the
/// station's own browser (its agenda and its agents are on the structure's server).
public func buildStationRouter(office: Office, pages: WebPages) -> Router<GuichetRequestContext> {
    let router = Router(context: GuichetRequestContext.self)
    let methods = RouteMethods()
    router.add(middleware: AccessLogMiddleware(metrics: office.metrics))
    router.add(middleware: MethodNotAllowedMiddleware(routes: methods))
    router.add(middleware: ErrorMiddleware(pages: pages))
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: StaticFolder(pages.kioskStatic, at: "/kiosk-static"))
    KioskPages(office: office, pages: pages).addRoutes(to: router)
    MetricsController(office: office).addRoutes(to: router)
    methods.load(router.routes)
    return router
}

/// Every route of the daemon. The OpenAPI test walks `router.routes`.
public func buildRouter(office: Office, pages: WebPages) -> Router<GuichetRequestContext> {
    let router = Router(context: GuichetRequestContext.self)
    let methods = RouteMethods()
    router.add(middleware: AccessLogMiddleware(metrics: office.metrics))
    router.add(middleware: MethodNotAllowedMiddleware(routes: methods))
    router.add(middleware: ErrorMiddleware(pages: pages))
    router.add(middleware: ClientOriginMiddleware(policy: office.network))
    router.add(middleware: SecurityHeadersMiddleware())
    // The console's and the station's CSS, scripts and pictograms, straight from the bundles.
    router.add(middleware: StaticFolder(pages.consoleStatic, at: "/static"))
    router.add(middleware: StaticFolder(pages.kioskStatic, at: "/kiosk-static"))
    router.add(middleware: SessionMiddleware(office: office))
    HealthController(office: office).addRoutes(to: router)
    MetricsController(office: office).addRoutes(to: router)
    CalendarController(office: office).addRoutes(to: router)
    HomeController(office: office).addRoutes(to: router)
    PublicPage(office: office, pages: pages).addRoutes(to: router)
    SelfBookingPages(office: office, pages: pages).addRoutes(to: router)
    KioskPages(office: office, pages: pages).addRoutes(to: router)
    let visio = VisioPages(office: office, pages: pages)
    visio.addRoutes(to: router)
    // The console: its route groups are its guards (an agent's session; a manager for the
    // structure's plan and the accounts; every form CSRF-checked) and its audit path.
    let signIn = SignInController(office: office, pages: pages)
    signIn.addRoutes(to: router)
    let console = router.group("console", context: ConsoleContext.self)
    let agents = console.group().add(middleware: ConsoleFormGuard()).add(middleware: AuditMiddleware<ConsoleContext>(office: office))
    let managers = console.group().add(middleware: ManagerOnly()).add(middleware: ConsoleFormGuard())
        .add(middleware: AuditMiddleware<ConsoleContext>(office: office))
    signIn.addRoutes(to: agents)
    visio.addRoutes(to: agents)
    let sections: [any ConsoleSection.Type] = [
        AgendaPages.self, BookingPages.self, HoursPages.self, PermanencePages.self, FollowUpPages.self, MandatePages.self, AgentPages.self,
        ReportPages.self, DevicePages.self, SelfBookingSettingsPages.self, NetworkPages.self,
    ]
    for section in sections { section.init(office: office, pages: pages).addRoutes(to: agents, managers: managers) }
    DeviceAPI(office: office).addRoutes(to: router)
    let api = router.group("api/v1").add(middleware: APIAccessMiddleware(office: office)).add(middleware: AuditMiddleware<GuichetRequestContext>(office: office))
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
