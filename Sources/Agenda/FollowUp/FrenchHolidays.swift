/// The eleven public holidays of metropolitan France ("jours fériés").
///
/// Alsace-Moselle's two extra days (Good Friday, 26 December) are not included: the
/// structure's region is not in the configuration yet.
public enum FrenchHolidays {
    /// Easter Sunday of `year` (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
    public static func easter(_ year: Int) -> LocalDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(clampingYear: year, month: month, day: day)
    }

    /// The holidays of `year`, each with its French name.
    public static func holidays(_ year: Int) -> [(date: LocalDate, name: String)] {
        let easter = easter(year)
        func fixed(_ month: Int, _ day: Int) -> LocalDate { LocalDate(clampingYear: year, month: month, day: day) }
        return [
            (fixed(1, 1), "Jour de l’an"),
            (easter.adding(days: 1), "Lundi de Pâques"),
            (fixed(5, 1), "Fête du Travail"),
            (fixed(5, 8), "Victoire 1945"),
            (easter.adding(days: 39), "Ascension"),
            (easter.adding(days: 50), "Lundi de Pentecôte"),
            (fixed(7, 14), "Fête nationale"),
            (fixed(8, 15), "Assomption"),
            (fixed(11, 1), "Toussaint"),
            (fixed(11, 11), "Armistice 1918"),
            (fixed(12, 25), "Noël"),
        ].sorted { $0.0 < $1.0 }
    }

    public static func isHoliday(_ date: LocalDate) -> Bool {
        holidays(date.year).contains { $0.date == date }
    }
}
