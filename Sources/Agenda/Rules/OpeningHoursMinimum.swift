/// The legal minimum of opening hours for each label, checked before a weekly plan is
/// accepted (at start from config, and on every change).
public enum OpeningHoursMinimum {
    /// The minimum that applies to `label`, in words, shown beside the plan being edited.
    public static func summary(for label: StructureLabel) -> String {
        switch label {
        case .franceServices: "France Services : au moins 24 h par semaine sur au moins 5 jours."
        case .msap: "Maison de services au public : au moins 24 h par semaine sur au moins 3 jours."
        case .pointNumeriqueCaf: "Point numérique Caf : au moins 4 demi-journées et 12 h par semaine."
        }
    }

    /// Throws the first rule the plan breaks, naming it.
    public static func check(_ hours: WeeklyHours, label: StructureLabel) throws(AgendaError) {
        let hoursOpen = Double(hours.weeklyMinutes) / 60
        let shown = hoursOpen.formatted1
        switch label {
        case .franceServices:
            try require(hoursOpen >= 24 && hours.openDays >= 5, rule: "france-services-24h-5-days",
                french: "Une structure France Services ouvre au moins 24 h par semaine sur au moins 5 jours ; ce plan donne \(shown) h sur \(hours.openDays) jour(s).",
                english: "A France Services structure opens at least 24 h a week over at least 5 days; this plan gives \(shown) h over \(hours.openDays) day(s).")
        case .msap:
            try require(hoursOpen >= 24 && hours.openDays >= 3, rule: "msap-24h-3-days",
                french: "Une Maison de services au public ouvre au moins 24 h par semaine sur au moins 3 jours ; ce plan donne \(shown) h sur \(hours.openDays) jour(s).",
                english: "A Maison de services au public opens at least 24 h a week over at least 3 days; this plan gives \(shown) h over \(hours.openDays) day(s).")
        case .pointNumeriqueCaf:
            try require(hoursOpen >= 12 && hours.halfDays >= 4, rule: "caf-12h-4-half-days",
                french: "Un Point numérique Caf ouvre au moins 4 demi-journées et 12 h par semaine ; ce plan donne \(shown) h et \(hours.halfDays) demi-journée(s) (d'au moins 2 h).",
                english: "A Caf Point numérique opens at least 4 half-days and 12 h a week; this plan gives \(shown) h and \(hours.halfDays) half-day(s) (of at least 2 h).")
        }
    }

    private static func require(_ ok: Bool, rule: String, french: String, english: String) throws(AgendaError) {
        guard !ok else { return }
        throw AgendaError(
            code: "opening_hours_below_minimum", kind: .invalid, french: french, english: english,
            details: ["rule": rule])
    }
}

extension Double {
    var formatted1: String {
        let tenths = Int((self * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10),\(tenths % 10)"
    }
}
