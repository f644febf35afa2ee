/// A named day in a calendar.
public struct CalendarDay: Sendable, Hashable, Codable {
    /// The day.
    public var date: CivilDate
    /// What it is, e.g. `National Day`.
    public var name: String

    /// Creates a day.
    public init(date: CivilDate, name: String) {
        self.date = date
        self.name = name
    }
}

/// Which days are working days: weekends, public holidays and the weekend days that are adjusted into
/// working days (调休). Deadlines such as "reply within 10 working days" are computed against it.
public struct WorkingCalendar: Sendable, Hashable, Codable, ValidatableDocument {
    public static var documentName: String { "calendar" }

    /// A name, e.g. the notice the holidays come from.
    public var name: String
    /// The first day the calendar speaks for.
    public var from: CivilDate
    /// The last day the calendar speaks for.
    public var to: CivilDate
    /// The days of the week that are not working days.
    public var weekend: [Weekday]
    /// Public holidays.
    public var holidays: [CalendarDay]
    /// Weekend days that are working days.
    public var workingDays: [CalendarDay]

    /// Creates a calendar.
    public init(
        name: String, from: CivilDate, to: CivilDate, weekend: [Weekday] = [.saturday, .sunday],
        holidays: [CalendarDay] = [], workingDays: [CalendarDay] = []
    ) {
        self.name = name
        self.from = from
        self.to = to
        self.weekend = weekend
        self.holidays = holidays
        self.workingDays = workingDays
    }

    /// Why a working-day computation could not be made.
    public struct OutOfRange: Error, Sendable, Hashable, CustomStringConvertible {
        /// The day the calendar does not cover.
        public let date: CivilDate
        /// The calendar's range.
        public let from: CivilDate, to: CivilDate

        public var description: String {
            "the calendar covers \(from) to \(to) only; \(date) is outside it, so no working-day deadline can be computed"
        }
    }

    /// Whether `date` is a working day. Throws for a day outside the calendar: guessing would make
    /// deadlines silently wrong around unknown holidays.
    public func isWorkingDay(_ date: CivilDate) throws(OutOfRange) -> Bool {
        guard date >= from, date <= to else { throw OutOfRange(date: date, from: from, to: to) }
        if workingDays.contains(where: { $0.date == date }) { return true }
        if holidays.contains(where: { $0.date == date }) { return false }
        return !weekend.contains(date.weekday)
    }

    /// The day on which a deadline of `count` working days after `start` falls: the count starts on the
    /// first working day after `start`, as 10 working days for a reply are counted from the day after the
    /// application.
    public func adding(workingDays count: Int, to start: CivilDate) throws(OutOfRange) -> CivilDate {
        var day = start
        var remaining = max(0, count)
        while remaining > 0 {
            day = day.adding(days: 1)
            if try isWorkingDay(day) { remaining -= 1 }
        }
        return day
    }

    /// Working days after `start` up to and including `end` (0 if `end` is not after `start`).
    public func workingDays(after start: CivilDate, through end: CivilDate) throws(OutOfRange) -> Int {
        guard end > start else { return 0 }
        var count = 0
        var day = start
        while day < end {
            day = day.adding(days: 1)
            if try isWorkingDay(day) { count += 1 }
        }
        return count
    }

    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        issues.require(
            !name.isEmpty, "$.name", "calendar.name-required",
            "a calendar needs a name saying where its holidays come from")
        issues.require(from <= to, "$.to", "calendar.bad-range", "the calendar ends (\(to)) before it starts (\(from))")
        issues.require(
            to.daysSinceEpochSpan(from) <= 3660, "$.to", "calendar.too-long", "a calendar covers at most ten years")
        issues.require(
            Set(weekend).count == weekend.count, "$.weekend", "calendar.duplicate-weekday", "a weekday is listed twice")
        let holidayDates = Set(holidays.map(\.date))
        for (index, day) in holidays.enumerated() {
            issues.require(
                day.date >= from && day.date <= to, "$.holidays[\(index)].date", "calendar.day-outside-range",
                "\(day.date) is outside \(from)…\(to)")
        }
        issues.require(
            holidayDates.count == holidays.count, "$.holidays", "calendar.duplicate-day",
            "a holiday date is listed twice")
        for (index, day) in workingDays.enumerated() {
            issues.require(
                day.date >= from && day.date <= to, "$.workingDays[\(index)].date", "calendar.day-outside-range",
                "\(day.date) is outside \(from)…\(to)")
            issues.require(
                !holidayDates.contains(day.date), "$.workingDays[\(index)].date", "calendar.holiday-and-working-day",
                "\(day.date) is listed both as a holiday and as a working day")
        }
        issues.require(
            Set(workingDays.map(\.date)).count == workingDays.count, "$.workingDays", "calendar.duplicate-day",
            "a working day is listed twice")
        return issues.issues
    }
}

extension CivilDate {
    func daysSinceEpochSpan(_ other: CivilDate) -> Int { daysSince1970 - other.daysSince1970 }
}
