import Agenda
import Foundation
import Reports
import Store

/// The booking lines of the Today and Week pages, written here rather than in Mustache:
/// a busy week holds hundreds of them. Measured again with a partial per booking (2026-12-03,
/// `guichet bench console`, release): the Week page went from p50 7–9 ms, p99 10–12 ms to
/// p50 13–14 ms, p99 19–19.5 ms, against a 20 ms goal. Everything variable is escaped.
enum BookingHTML {
    static func e(_ text: String) -> String { HTMLEscaping.escape(text) }

    /// The action buttons for one booking, each a small form carrying the CSRF token.
    static func actions(_ b: Booking, now: Date, time: String, csrf: String, back: String, dayActions: Bool) -> String {
        let name = e(b.usager?.name ?? "rendez-vous")
        func button(_ event: String, _ label: String, _ aria: String, _ style: String = "") -> String {
            "<form class=\"inline\" method=\"post\" action=\"/console/bookings/\(e(b.id))/\(event)\"><input type=\"hidden\" name=\"_csrf\" value=\"\(e(csrf))\">"
                + "<input type=\"hidden\" name=\"back\" value=\"\(back)\"><button type=\"submit\"\(style.isEmpty ? "" : " class=\"\(style)\"") aria-label=\"\(aria)\">\(label)</button></form>"
        }
        var html = "<div class=\"actions\">"
        if dayActions && b.status == .booked { html += button("check-in", "Arrivé", "Arrivée de \(name) à \(time)") }
        if dayActions && b.status == .checkedIn { html += button("done", "Terminé", "Terminer le rendez-vous de \(name)") }
        if dayActions && b.status == .booked && now >= b.span.start { html += button("no-show", "Absent", "Absence de \(name)", "secondary") }
        if b.status == .booked && now < b.span.start {
            html += "<a class=\"button secondary\" href=\"/console/bookings/\(e(b.id))/move\" aria-label=\"Déplacer le rendez-vous de \(name)\">Déplacer</a>"
        }
        if b.status == .booked && now < b.span.end { html += button("cancel", "Annuler", "Annuler le rendez-vous de \(name)", "danger") }
        return html + "</div>"
    }
}
