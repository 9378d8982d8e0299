/// Why the agenda refused something, in words an agent can read in French or English.
///
/// `code` is stable: API clients and tests match on it, never on the messages.
public struct AgendaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// How the refusal reaches a caller (the HTTP layer maps it to a status).
    public enum Kind: Sendable, Equatable {
        /// The request itself is wrong (bad value, broken rule).
        case invalid
        /// Something named by the request does not exist.
        case notFound
        /// The request is well-formed but collides with the agenda's state.
        case conflict
        /// Something the request needs is out of reach for now (the network's database):
        /// nothing was recorded, and the same request may succeed later.
        case unavailable
    }

    public let code: String
    public let kind: Kind
    public let french: String
    public let english: String
    /// Extra facts for the caller (the field at fault, the rule broken), never personal data.
    public let details: [String: String]

    public init(code: String, kind: Kind, french: String, english: String, details: [String: String] = [:]) {
        self.code = code
        self.kind = kind
        self.french = french
        self.english = english
        self.details = details
    }

    public var description: String { "\(code): \(english)" }
}

extension AgendaError {
    /// A value that is out of range or malformed, naming the field.
    public static func invalidField(_ field: String, french: String, english: String) -> AgendaError {
        AgendaError(code: "invalid_field", kind: .invalid, french: french, english: english, details: ["field": field])
    }

    public static func notFound(_ what: String, id: String) -> AgendaError {
        AgendaError(
            code: "not_found", kind: .notFound,
            french: "Introuvable : \(frenchName(of: what)) « \(id) ».",
            english: "No \(what) with id '\(id)'.",
            details: ["resource": what, "id": id])
    }

    public static func unknownReference(_ field: String, what: String, id: String) -> AgendaError {
        AgendaError(
            code: "unknown_reference", kind: .invalid,
            french: "\(frenchName(of: what).capitalizedFirst) inconnu(e) : « \(id) ».",
            english: "Unknown \(what) '\(id)'.",
            details: ["field": field, "id": id])
    }

    public static let endBeforeStart = AgendaError(
        code: "end_before_start", kind: .invalid,
        french: "La fin doit être postérieure au début.",
        english: "The end must come after the start.")

    public static let inThePast = AgendaError(
        code: "in_the_past", kind: .invalid,
        french: "Ce créneau est déjà passé.",
        english: "This time is already in the past.")

    public static let outsideOpeningHours = AgendaError(
        code: "outside_opening_hours", kind: .invalid,
        french: "Ce créneau est en dehors des horaires d'ouverture de la structure.",
        english: "This time is outside the structure's opening hours.")

    /// A French public holiday the manager did not declare open.
    public static func publicHoliday(_ date: LocalDate, name: String) -> AgendaError {
        AgendaError(
            code: "public_holiday", kind: .conflict,
            french: "La structure est fermée le \(date) : jour férié (\(name)).",
            english: "The structure is closed on \(date): public holiday (\(name)).",
            details: ["date": date.description, "holiday": name])
    }

    /// A room a partner's permanence or visio slot holds: bookable only through that window.
    public static func heldByPartnerWindow(kind: String, id: String, partner: String) -> AgendaError {
        let (french, english) = kind == "permanence" ? ("la permanence", "permanence") : ("le créneau visio", "visio slot")
        return AgendaError(
            code: kind == "permanence" ? "room_held_by_permanence" : "room_held_by_visio_slot", kind: .conflict,
            french: "Cette salle est réservée à \(french) \(id) (\(partner)) à ce moment-là : prenez rendez-vous dans ce créneau.",
            english: "This room is held by the \(english) \(id) (\(partner)) at that time: book within that window.",
            details: ["window": id, "windowKind": kind, "partner": partner])
    }

    public static func duringClosure(reason: String) -> AgendaError {
        AgendaError(
            code: "during_closure", kind: .conflict,
            french: "La structure est fermée à ce moment-là (fermeture exceptionnelle : \(reason)).",
            english: "The structure is closed at that time (exceptional closure: \(reason)).")
    }

    public static let slotTaken = AgendaError(
        code: "slot_taken", kind: .conflict,
        french: "Ce créneau vient d'être pris : la salle, le poste ou l'intervenant est déjà réservé.",
        english: "This slot is already taken: the room, the station or the specialist is booked.")

    /// The network's database could not be reached to hold a shared specialist: nothing was
    /// booked, here or anywhere.
    public static let networkUnavailable = AgendaError(
        code: "network_unavailable", kind: .unavailable,
        french: "La base du réseau France Services est injoignable : les rendez-vous avec un intervenant partagé sont suspendus. Rien n'a été enregistré ; réessayez dans quelques minutes. Le reste de Guichet fonctionne.",
        english: "The network's database cannot be reached: appointments with a shared specialist are on hold. Nothing was recorded; try again in a few minutes. The rest of Guichet works.")

    public static func specialistBusy(_ specialistID: String) -> AgendaError {
        AgendaError(
            code: "specialist_busy", kind: .conflict,
            french: "L'intervenant « \(specialistID) » a déjà une permanence ou un créneau visio à ce moment-là.",
            english: "Specialist '\(specialistID)' already holds a permanence or a visio slot at that time.",
            details: ["specialist": specialistID])
    }

    private static func frenchName(of what: String) -> String {
        switch what {
        case "booking": "rendez-vous"
        case "closure": "fermeture"
        case "permanence": "permanence"
        case "visio slot": "créneau visio"
        case "specialist": "intervenant"
        case "partner": "partenaire"
        case "life situation": "situation de vie"
        case "room": "salle"
        case "station": "poste"
        case "agent": "compte agent"
        case "network account": "compte du réseau"
        case "structure": "structure"
        case "referral": "orientation"
        case "referent": "référent"
        case "mandate": "mandat"
        default: what
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
