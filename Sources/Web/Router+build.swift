import OfficeKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Store
import StructureConfig

/// Every route of the daemon. The OpenAPI test walks `router.routes`.
public func buildRouter(office: Office, pages: WebPages) -> Router<GuichetRequestContext> {
    let router = Router(context: GuichetRequestContext.self)
    let methods = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(routes: methods))
    router.add(middleware: ErrorMiddleware(pages: pages))
    router.add(middleware: SecurityHeadersMiddleware())
    // The console's and the station's CSS, scripts and pictograms, straight from the bundles.
    let cache = CacheControl([(MediaType(type: .any), [.public, .maxAge(3600)])])
    router.add(middleware: FileMiddleware(pages.consoleStatic.path, urlBasePath: "/static", cacheControl: cache, searchForIndexHtml: false))
    router.add(middleware: FileMiddleware(pages.kioskStatic.path, urlBasePath: "/kiosk-static", cacheControl: cache, searchForIndexHtml: false))
    router.add(middleware: SessionMiddleware(office: office))
    HealthController(office: office).addRoutes(to: router)
    CalendarController(office: office).addRoutes(to: router)
    HomeController(office: office).addRoutes(to: router)
    PublicPage(office: office, pages: pages).addRoutes(to: router)
    KioskPages(office: office, pages: pages).addRoutes(to: router)
    VisioPages(office: office, pages: pages).addRoutes(to: router)
    SignInController(office: office, pages: pages).addRoutes(to: router)
    AgendaPages(office: office, pages: pages).addRoutes(to: router)
    BookingPages(office: office, pages: pages).addRoutes(to: router)
    HoursPages(office: office, pages: pages).addRoutes(to: router)
    PermanencePages(office: office, pages: pages).addRoutes(to: router)
    FollowUpPages(office: office, pages: pages).addRoutes(to: router)
    MandatePages(office: office, pages: pages).addRoutes(to: router)
    AgentPages(office: office, pages: pages).addRoutes(to: router)
    ReportPages(office: office, pages: pages).addRoutes(to: router)
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
