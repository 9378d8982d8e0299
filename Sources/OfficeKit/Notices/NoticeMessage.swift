import Agenda
import Foundation
import Reports

/// The e-mail one notice is: the usager's own appointment, in French, as plain text and simple
/// HTML, with the appointment as iCalendar (METHOD:REQUEST, or CANCEL once cancelled) so a
/// calendar client adds, moves or removes the one event. RFC 5322 headers with RFC 2047
/// encoded words; every body part UTF-8 in base64, so no line is too long and nothing from a
/// booking can end up among the headers (the address itself is checked at booking).
public struct NoticeMessage: Sendable {
    public let kind: NoticeKind
    public let booking: Booking
    public let structure: Structure
    /// The sender's address (the structure's, unless the configuration names another).
    public let from: String
    public let now: Date
    /// The personal code of a booking the usager made themselves (to see, move or cancel it).
    public let code: String?

    public init(kind: NoticeKind, booking: Booking, structure: Structure, from: String, now: Date, code: String? = nil) {
        self.kind = kind
        self.booking = booking
        self.structure = structure
        self.from = from
        self.now = now
        self.code = code
    }

    var displayCode: String? { code.map(SelfBookingCode.display) }

    /// Stable across attempts: a message the MTA took just before a crash and is sent again
    /// carries the same Message-ID.
    public var messageID: String {
        "<notice-\(booking.id)-\(kind.rawValue)-\(Int64(booking.span.start.timeIntervalSince1970))@\(structure.id).guichet>"
    }

    var when: String {
        let local = structure.timeZone.local(booking.span.start)
        return "\(local.date.frenchLong) à \(local.time)"
    }

    var place: String {
        booking.kind == .visio
            ? "\(structure.name), en visio dans la salle confidentielle — \(structure.address)"
            : "\(structure.name) — \(structure.address)"
    }

    public var subject: String {
        switch kind {
        case .confirmation: "Votre rendez-vous du \(when) est confirmé"
        case .reminder: "Rappel : votre rendez-vous du \(when)"
        case .moved: "Votre rendez-vous est déplacé au \(when)"
        case .cancelled: "Votre rendez-vous du \(when) est annulé"
        case .closure: "Fermeture exceptionnelle : votre rendez-vous du \(when) ne peut pas avoir lieu"
        }
    }

    /// The SMS: the essentials first (one message of 160 GSM characters; what does not fit
    /// is cut from the end).
    public var smsText: String {
        let local = structure.timeZone.local(booking.span.start)
        let day = "\(local.date.weekday.french) \(local.date.day)/\(local.date.month < 10 ? "0" : "")\(local.date.month)"
        let at = "le \(day) à \(local.time)"
        // A self-booking's code goes before the phone: what does not fit is cut from the end.
        let code = kind == .cancelled ? "" : displayCode.map { " Code \($0)." } ?? ""
        let text: String
        switch kind {
        case .confirmation: text = "\(structure.name) : rendez-vous confirmé \(at).\(code) Pour le déplacer ou l'annuler : \(structure.phone)."
        case .reminder: text = "\(structure.name) : rappel de votre rendez-vous \(at).\(code) Empêchement : \(structure.phone)."
        case .moved: text = "\(structure.name) : votre rendez-vous est déplacé \(at).\(code) Empêchement : \(structure.phone)."
        case .cancelled: text = "\(structure.name) : votre rendez-vous \(at) est annulé. Pour un autre : \(structure.phone)."
        case .closure: text = "\(structure.name) : fermeture exceptionnelle, votre rendez-vous \(at) ne peut pas avoir lieu.\(code) Appelez-nous : \(structure.phone)."
        }
        return GSM7.fit(text)
    }

    /// The paragraphs of the text, the same in both bodies.
    var paragraphs: [String] {
        let greeting = "Bonjour \(booking.usager?.name ?? ""),"
        let contact = displayCode.map {
            "Votre code personnel : \($0). Avec lui, vous le retrouvez, le déplacez ou l'annulez sur notre page « Prendre rendez-vous » (« J'ai déjà un rendez-vous »), ou appelez-nous au \(structure.phone)."
        } ?? "Pour le déplacer ou l'annuler, appelez-nous au \(structure.phone) ou écrivez à \(structure.email)."
        switch kind {
        case .confirmation:
            return [greeting, "Votre rendez-vous est confirmé :", "\(when)\n\(place)", contact]
        case .reminder:
            return [greeting, "Nous vous rappelons votre rendez-vous :", "\(when)\n\(place)", contact]
        case .moved:
            return [greeting, "Votre rendez-vous a été déplacé. Voici la nouvelle date :", "\(when)\n\(place)", contact]
        case .cancelled:
            return [greeting, "Votre rendez-vous du \(when) est annulé.", "Pour en prendre un autre, appelez-nous au \(structure.phone) ou écrivez à \(structure.email)."]
        case .closure:
            return [
                greeting, "\(structure.name) sera exceptionnellement fermé au moment de votre rendez-vous du \(when) : il ne peut pas avoir lieu à cette heure-là.",
                "Pour le déplacer, appelez-nous au \(structure.phone) ou écrivez à \(structure.email)\(displayCode.map { " (ou, avec votre code \($0), sur notre page « Prendre rendez-vous »)" } ?? ""). Nous vous prions de nous excuser.",
            ]
        }
    }

    var text: String {
        (paragraphs + ["\(structure.name)\n\(structure.address)"]).joined(separator: "\n\n") + "\n"
    }

    var html: String {
        let body = (paragraphs + ["\(structure.name)\n\(structure.address)"])
            .map { "<p>" + HTMLEscaping.escape($0).replacingOccurrences(of: "\n", with: "<br>") + "</p>" }
            .joined(separator: "\n")
        return """
            <!doctype html>
            <html lang="fr"><head><meta charset="utf-8"><title>\(HTMLEscaping.escape(subject))</title></head>
            <body style="font-family: sans-serif; font-size: 18px; line-height: 1.5">
            \(body)
            </body></html>

            """
    }

    /// The whole message, as `sendmail -t` reads it (recipients from To:).
    public func rendered() -> String {
        let boundary = "guichet-\(booking.id)-\(kind.rawValue)"
        let cancelled = booking.status == .cancelled
        let calendar = CalendarFeeds.usagerInvitation(structure: structure, booking: booking, organizer: from, now: now)
        var lines = [
            "From: \(Self.encodedWord(structure.name)) <\(from)>",
            "To: <\(booking.usager?.email ?? "")>",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(now))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/mixed; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)-alt\"",
            "",
        ]
        lines += Self.part("text/plain; charset=utf-8", text, boundary: "\(boundary)-alt")
        lines += Self.part("text/html; charset=utf-8", html, boundary: "\(boundary)-alt")
        lines += ["--\(boundary)-alt--", ""]
        // A closure's notice changes no event: the agent's move or cancellation will.
        if kind != .closure {
            lines += Self.part(
                "text/calendar; charset=utf-8; method=\(cancelled ? "CANCEL" : "REQUEST")", calendar, boundary: boundary,
                disposition: "attachment; filename=\"rendez-vous.ics\"")
        }
        lines += ["--\(boundary)--", ""]
        return lines.joined(separator: "\r\n")
    }

    static func part(_ type: String, _ content: String, boundary: String, disposition: String? = nil) -> [String] {
        var lines = ["--\(boundary)", "Content-Type: \(type)", "Content-Transfer-Encoding: base64"]
        if let disposition { lines.append("Content-Disposition: \(disposition)") }
        lines.append("")
        lines.append(Data(content.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]))
        lines.append("")
        return lines
    }

    /// RFC 2047: a header's non-ASCII text as base64 encoded words (each under 76 characters).
    static func encodedWord(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
