import Foundation

/// Instants, civil dates and Go's layout-string parsing and formatting, as OPA's `time.*` builtins use them.
public struct GoTime: Sendable, Equatable {
    /// Seconds since the Unix epoch (UTC).
    public var seconds: Int64
    /// Nanoseconds within the second, 0..<1e9.
    public var nanoseconds: Int64
    /// Offset of the presentation zone from UTC, in seconds.
    public var offset: Int
    /// Zone abbreviation printed by `MST` (empty: derived from the offset).
    public var zoneName: String

    /// Why a time builtin failed; `description` is the text OPA prints.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The message.
        public let description: String
    }

    /// Creates an instant from seconds, nanoseconds and a presentation offset.
    public init(seconds: Int64, nanoseconds: Int64, offset: Int = 0, zoneName: String = "UTC") {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.offset = offset
        self.zoneName = zoneName
    }

    /// Creates an instant from Unix nanoseconds.
    public init(unixNanoseconds ns: Int64, offset: Int = 0, zoneName: String = "UTC") {
        var s = ns / 1_000_000_000
        var n = ns % 1_000_000_000
        if n < 0 { n += 1_000_000_000; s -= 1 }
        self.init(seconds: s, nanoseconds: n, offset: offset, zoneName: zoneName)
    }

    /// Unix nanoseconds, or nil outside the range Go's `UnixNano` can represent.
    public var unixNanoseconds: Int64? {
        // Negative instants are computed from the next whole second so Int64.min stays reachable.
        let (wholeSeconds, rest) = seconds < 0 && nanoseconds > 0 ? (seconds + 1, nanoseconds - 1_000_000_000) : (seconds, nanoseconds)
        let (product, overflow) = wholeSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return nil }
        let (sum, overflow2) = product.addingReportingOverflow(rest)
        if overflow2 { return nil }
        return sum
    }

    /// The same instant presented in `zone` (IANA name; "" or "UTC" for UTC, "Local" is treated as UTC).
    public func inZone(_ identifier: String) throws(Failure) -> GoTime {
        if identifier.isEmpty || identifier == "UTC" || identifier == "Local" {
            return GoTime(seconds: seconds, nanoseconds: nanoseconds, offset: 0, zoneName: "UTC")
        }
        guard let zone = TimeZone(identifier: identifier) else {
            throw Failure(description: "unknown time zone \(identifier)")
        }
        let date = Date(timeIntervalSince1970: Double(seconds))
        let offset = zone.secondsFromGMT(for: date)
        let name = zone.abbreviation(for: date) ?? ""
        return GoTime(seconds: seconds, nanoseconds: nanoseconds, offset: offset, zoneName: name)
    }

    // MARK: Civil calendar

    /// Days since 1970-01-01 for a proleptic Gregorian date (month and day may be out of range; they normalise).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        var y = year
        var m = month - 1
        y += m >= 0 ? m / 12 : (m - 11) / 12
        m = ((m % 12) + 12) % 12 + 1
        y -= m <= 2 ? 1 : 0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468 + (day - 1)
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    private var localSeconds: Int64 { seconds + Int64(offset) }

    /// Year, month (1-12) and day in the presentation zone.
    public var date: (year: Int64, month: Int64, day: Int64) {
        GoTime.civil(days: GoTime.floorDiv(localSeconds, 86_400))
    }

    /// Hour, minute and second in the presentation zone.
    public var clock: (hour: Int64, minute: Int64, second: Int64) {
        let s = localSeconds - GoTime.floorDiv(localSeconds, 86_400) * 86_400
        return (s / 3600, (s % 3600) / 60, s % 60)
    }

    /// Day of the week, 0 = Sunday.
    public var weekday: Int {
        let d = GoTime.floorDiv(localSeconds, 86_400)
        return Int(((d + 4) % 7 + 7) % 7)
    }

    /// Day of the year, 1-based.
    public var yearDay: Int64 {
        let (y, _, _) = date
        return GoTime.floorDiv(localSeconds, 86_400) - GoTime.days(year: y, month: 1, day: 1) + 1
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Adds years, months and days the way Go's `AddDate` does (normalising overflowing days).
    public func addingDate(years: Int64, months: Int64, days: Int64) -> GoTime {
        let (y, m, d) = date
        let (h, mi, s) = clock
        let dayCount = GoTime.days(year: y + years, month: m + months, day: d + days)
        var result = self
        result.seconds = dayCount * 86_400 + h * 3600 + mi * 60 + s - Int64(offset)
        return result
    }

    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["January", "February", "March", "April", "May", "June", "July",
                         "August", "September", "October", "November", "December"]

    /// The name of the weekday, e.g. `Monday`.
    public var weekdayName: String { GoTime.weekdays[weekday] }

    // MARK: Layouts

    /// Go's named layouts (`time.RFC3339` ...) by name, as OPA's `time.format`/`time.parse_ns` accept them.
    public static let namedLayouts: [String: String] = [
        "ANSIC": "Mon Jan _2 15:04:05 2006",
        "UnixDate": "Mon Jan _2 15:04:05 MST 2006",
        "RubyDate": "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822": "02 Jan 06 15:04 MST",
        "RFC822Z": "02 Jan 06 15:04 -0700",
        "RFC850": "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123": "Mon, 02 Jan 2006 15:04:05 MST",
        "RFC1123Z": "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339": "2006-01-02T15:04:05Z07:00",
        "RFC3339Nano": "2006-01-02T15:04:05.999999999Z07:00",
        "Kitchen": "3:04PM",
        "Stamp": "Jan _2 15:04:05",
        "StampMilli": "Jan _2 15:04:05.000",
        "StampMicro": "Jan _2 15:04:05.000000",
        "StampNano": "Jan _2 15:04:05.000000000",
        "DateTime": "2006-01-02 15:04:05",
        "DateOnly": "2006-01-02",
        "TimeOnly": "15:04:05",
    ]

    enum Token: Equatable {
        case literal(String)
        case longMonth, month, numMonth, zeroMonth
        case longWeekDay, weekDay
        case day, underDay, zeroDay
        case underYearDay, zeroYearDay
        case hour, hour12, zeroHour12
        case minute, zeroMinute, second, zeroSecond
        case longYear, year
        case pm, lowerPM
        case tz
        case isoTZ, isoColonTZ, isoShortTZ, isoColonSecondsTZ, isoSecondsTZ
        case numTZ, numColonTZ, numShortTZ, numColonSecondsTZ, numSecondsTZ
        case fraction(digits: Int, trimZeros: Bool)
    }

    static func tokenize(_ layout: String) -> [Token] {
        let s = Array(layout.unicodeScalars)
        var tokens: [Token] = []
        var literal = String.UnicodeScalarView()
        var i = 0
        func has(_ p: String) -> Bool {
            let ps = Array(p.unicodeScalars)
            guard i + ps.count <= s.count else { return false }
            for k in 0..<ps.count where s[i + k] != ps[k] { return false }
            return true
        }
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(String(literal))); literal = String.UnicodeScalarView() }
        }
        let table: [(String, Token)] = [
            ("January", .longMonth), ("Jan", .month), ("Monday", .longWeekDay), ("Mon", .weekDay),
            ("MST", .tz),
            ("2006", .longYear), ("002", .zeroYearDay), ("01", .zeroMonth), ("02", .zeroDay), ("03", .zeroHour12),
            ("04", .zeroMinute), ("05", .zeroSecond), ("06", .year),
            ("15", .hour), ("1", .numMonth), ("2", .day), ("3", .hour12), ("4", .minute), ("5", .second),
            ("__2", .underYearDay), ("_2", .underDay),
            ("PM", .pm), ("pm", .lowerPM),
            ("Z07:00:00", .isoColonSecondsTZ), ("Z070000", .isoSecondsTZ), ("Z07:00", .isoColonTZ),
            ("Z0700", .isoTZ), ("Z07", .isoShortTZ),
            ("-07:00:00", .numColonSecondsTZ), ("-070000", .numSecondsTZ), ("-07:00", .numColonTZ),
            ("-0700", .numTZ), ("-07", .numShortTZ),
        ]
        outer: while i < s.count {
            if (s[i] == "." || s[i] == ",") && i + 1 < s.count && (s[i + 1] == "0" || s[i + 1] == "9") {
                let digit = s[i + 1]
                var j = i + 1
                while j < s.count && s[j] == digit { j += 1 }
                // A fraction only counts when not followed by another digit.
                if !(j < s.count && s[j].properties.numericType != nil && ("0"..."9").contains(s[j])) {
                    flush()
                    tokens.append(.fraction(digits: j - i - 1, trimZeros: digit == "9"))
                    i = j
                    continue
                }
            }
            for (text, token) in table where has(text) {
                if token == .weekDay && has("Monday") { continue }
                if token == .month && has("January") { continue }
                flush()
                tokens.append(token)
                i += text.unicodeScalars.count
                continue outer
            }
            literal.append(s[i])
            i += 1
        }
        flush()
        return tokens
    }

    /// Formats the instant with a Go layout string.
    public func format(_ layout: String) -> String {
        let (year, month, day) = date
        let (hour, minute, second) = clock
        var out = ""
        func pad(_ v: Int64, _ width: Int, _ char: Character = "0") -> String {
            let s = String(abs(v))
            let padded = s.count < width ? String(repeating: char, count: width - s.count) + s : s
            return v < 0 ? "-" + padded : padded
        }
        for token in GoTime.tokenize(layout) {
            switch token {
            case .literal(let s): out += s
            case .longYear: out += pad(year, 4)
            case .year: out += pad(((year % 100) + 100) % 100, 2)
            case .longMonth: out += GoTime.months[Int(month - 1)]
            case .month: out += String(GoTime.months[Int(month - 1)].prefix(3))
            case .numMonth: out += String(month)
            case .zeroMonth: out += pad(month, 2)
            case .longWeekDay: out += weekdayName
            case .weekDay: out += String(weekdayName.prefix(3))
            case .day: out += String(day)
            case .underDay: out += pad(day, 2, " ")
            case .zeroDay: out += pad(day, 2)
            case .underYearDay: out += pad(yearDay, 3, " ")
            case .zeroYearDay: out += pad(yearDay, 3)
            case .hour: out += pad(hour, 2)
            case .hour12: out += String(hour % 12 == 0 ? 12 : hour % 12)
            case .zeroHour12: out += pad(hour % 12 == 0 ? 12 : hour % 12, 2)
            case .minute: out += String(minute)
            case .zeroMinute: out += pad(minute, 2)
            case .second: out += String(second)
            case .zeroSecond: out += pad(second, 2)
            case .pm: out += hour >= 12 ? "PM" : "AM"
            case .lowerPM: out += hour >= 12 ? "pm" : "am"
            case .tz:
                if !zoneName.isEmpty && !(zoneName.hasPrefix("GMT") && zoneName.count > 3) {
                    out += zoneName
                } else {
                    out += formatOffset(colon: false, seconds: false, short: true, z: false)
                }
            case .isoTZ: out += formatOffset(colon: false, seconds: false, short: false, z: true)
            case .isoColonTZ: out += formatOffset(colon: true, seconds: false, short: false, z: true)
            case .isoShortTZ: out += formatOffset(colon: false, seconds: false, short: true, z: true)
            case .isoSecondsTZ: out += formatOffset(colon: false, seconds: true, short: false, z: true)
            case .isoColonSecondsTZ: out += formatOffset(colon: true, seconds: true, short: false, z: true)
            case .numTZ: out += formatOffset(colon: false, seconds: false, short: false, z: false)
            case .numColonTZ: out += formatOffset(colon: true, seconds: false, short: false, z: false)
            case .numShortTZ: out += formatOffset(colon: false, seconds: false, short: true, z: false)
            case .numSecondsTZ: out += formatOffset(colon: false, seconds: true, short: false, z: false)
            case .numColonSecondsTZ: out += formatOffset(colon: true, seconds: true, short: false, z: false)
            case .fraction(let digits, let trim):
                var frac = pad(nanoseconds, 9)
                frac = String(frac.prefix(digits))
                if trim {
                    while frac.hasSuffix("0") { frac.removeLast() }
                    if !frac.isEmpty { out += "." + frac }
                } else {
                    out += "." + frac
                }
            }
        }
        return out
    }

    private func formatOffset(colon: Bool, seconds withSeconds: Bool, short: Bool, z: Bool) -> String {
        if z && offset == 0 { return "Z" }
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        let h = a / 3600, m = (a % 3600) / 60, s = a % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = sign + two(h)
        if short && m == 0 && s == 0 { return out }
        if short { return out + two(m) }
        out += (colon ? ":" : "") + two(m)
        if withSeconds { out += (colon ? ":" : "") + two(s) }
        return out
    }

    /// Parses `value` with a Go layout string; errors read like Go's `parsing time ...` messages.
    public static func parse(layout: String, value: String) throws(Failure) -> GoTime {
        let tokens = tokenize(layout)
        var rest = Substring(value)
        var year: Int64 = 1, month: Int64 = 1, day: Int64 = 1, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0
        var nanos: Int64 = 0
        var pmSet: Bool? = nil
        var offset: Int? = nil
        var zoneName = "UTC"
        var yday: Int64? = nil
        func fail(_ element: String, _ remaining: Substring) -> Failure {
            Failure(description: "parsing time \(quote(value)) as \(quote(layout)): cannot parse \(quote(String(remaining))) as \(quote(element))")
        }
        func rangeFail(_ what: String) -> Failure {
            Failure(description: "parsing time \(quote(value)): \(what) out of range")
        }
        func digits(_ count: Int, exact: Bool) -> Int64? {
            var n: Int64 = 0
            var used = 0
            for c in rest.unicodeScalars {
                guard ("0"..."9").contains(c), used < count else { break }
                n = n * 10 + Int64(c.value - 48)
                used += 1
            }
            if used == 0 || (exact && used != count) { return nil }
            rest = rest.dropFirst(used)
            return n
        }
        func name(_ list: [String], length: Int?) -> Int? {
            for (index, full) in list.enumerated() {
                let candidate = length.map { String(full.prefix($0)) } ?? full
                if rest.lowercased().hasPrefix(candidate.lowercased()) {
                    rest = rest.dropFirst(candidate.count)
                    return index
                }
            }
            return nil
        }
        for (position, token) in tokens.enumerated() {
            let before = rest
            let element = layoutText(tokens[position])
            switch token {
            case .literal(let s):
                // Go skips leading spaces in both when matching literal spaces.
                var lit = Substring(s)
                while lit.first == " " && rest.first == " " { lit = lit.dropFirst(); rest = rest.dropFirst() }
                while lit.first == " " { lit = lit.dropFirst() }
                guard rest.hasPrefix(lit) else {
                    throw Failure(description: "parsing time \(quote(value)) as \(quote(layout)): cannot parse \(quote(String(rest))) as \(quote(s))")
                }
                rest = rest.dropFirst(lit.count)
            case .longYear:
                guard let v = digits(4, exact: true) else { throw fail(element, before) }
                year = v
            case .year:
                guard let v = digits(2, exact: true) else { throw fail(element, before) }
                year = v >= 69 ? 1900 + v : 2000 + v
            case .longMonth, .month:
                guard let m = name(months, length: token == .month ? 3 : nil) else { throw fail(element, before) }
                month = Int64(m + 1)
            case .numMonth, .zeroMonth:
                guard let v = digits(2, exact: token == .zeroMonth) else { throw fail(element, before) }
                guard v >= 1 && v <= 12 else { throw rangeFail("month") }
                month = v
            case .longWeekDay, .weekDay:
                guard name(weekdays, length: token == .weekDay ? 3 : nil) != nil else { throw fail(element, before) }
            case .day, .underDay, .zeroDay:
                if token == .underDay && rest.first == " " { rest = rest.dropFirst() }
                guard let v = digits(2, exact: token == .zeroDay) else { throw fail(element, before) }
                day = v
            case .underYearDay, .zeroYearDay:
                while token == .underYearDay && rest.first == " " { rest = rest.dropFirst() }
                guard let v = digits(3, exact: token == .zeroYearDay) else { throw fail(element, before) }
                yday = v
            case .hour:
                guard let v = digits(2, exact: false) else { throw fail(element, before) }
                guard v < 24 else { throw rangeFail("hour") }
                hour = v
            case .hour12, .zeroHour12:
                guard let v = digits(2, exact: token == .zeroHour12) else { throw fail(element, before) }
                guard v <= 12 else { throw rangeFail("hour") }
                hour = v
            case .minute, .zeroMinute:
                guard let v = digits(2, exact: token == .zeroMinute) else { throw fail(element, before) }
                guard v < 60 else { throw rangeFail("minute") }
                minute = v
            case .second, .zeroSecond:
                guard let v = digits(2, exact: token == .zeroSecond) else { throw fail(element, before) }
                guard v < 60 else { throw rangeFail("second") }
                second = v
                // Go accepts a fractional second after seconds even when the layout has none.
                if (rest.first == "." || rest.first == ","), position + 1 < tokens.count,
                   case .fraction = tokens[position + 1] {
                } else if rest.first == "." || rest.first == "," {
                    let afterDot = rest.dropFirst()
                    if let first = afterDot.unicodeScalars.first, ("0"..."9").contains(first) {
                        rest = afterDot
                        nanos = parseFraction(&rest)
                    }
                }
            case .pm, .lowerPM:
                let p = rest.prefix(2).uppercased()
                guard p == "AM" || p == "PM" else { throw fail(element, before) }
                pmSet = p == "PM"
                rest = rest.dropFirst(2)
            case .tz:
                if rest.hasPrefix("UTC") { rest = rest.dropFirst(3); offset = 0; zoneName = "UTC"; break }
                let letters = rest.prefix { $0.isUppercase && $0.isLetter }
                guard letters.count >= 3 else { throw fail(element, before) }
                zoneName = String(letters)
                rest = rest.dropFirst(letters.count)
                offset = offset ?? 0
            case .isoTZ, .isoColonTZ, .isoShortTZ, .isoSecondsTZ, .isoColonSecondsTZ,
                 .numTZ, .numColonTZ, .numShortTZ, .numSecondsTZ, .numColonSecondsTZ:
                let iso = [Token.isoTZ, .isoColonTZ, .isoShortTZ, .isoSecondsTZ, .isoColonSecondsTZ].contains(token)
                if iso && rest.first == "Z" {
                    rest = rest.dropFirst(); offset = 0; break
                }
                guard let sign = rest.first, sign == "+" || sign == "-" else { throw fail(element, before) }
                rest = rest.dropFirst()
                let colon = [Token.isoColonTZ, .isoColonSecondsTZ, .numColonTZ, .numColonSecondsTZ].contains(token)
                let short = token == .isoShortTZ || token == .numShortTZ
                let withSeconds = [Token.isoSecondsTZ, .isoColonSecondsTZ, .numSecondsTZ, .numColonSecondsTZ].contains(token)
                guard let h = digits(2, exact: true) else { throw fail(element, before) }
                var m: Int64 = 0, s: Int64 = 0
                if !short {
                    if colon { guard rest.first == ":" else { throw fail(element, before) }; rest = rest.dropFirst() }
                    guard let mm = digits(2, exact: true) else { throw fail(element, before) }
                    m = mm
                    if withSeconds {
                        if colon { guard rest.first == ":" else { throw fail(element, before) }; rest = rest.dropFirst() }
                        guard let ss = digits(2, exact: true) else { throw fail(element, before) }
                        s = ss
                    }
                }
                let total = Int(h * 3600 + m * 60 + s)
                offset = sign == "-" ? -total : total
            case .fraction(let count, let trim):
                guard let sep = rest.first, sep == "." || sep == "," else {
                    if trim { break }
                    throw fail(element, before)
                }
                rest = rest.dropFirst()
                let start = rest
                nanos = parseFraction(&rest)
                if !trim && start.count - rest.count != count { throw fail(element, before) }
            }
        }
        if !rest.isEmpty {
            throw Failure(description: "parsing time \(quote(value)): extra text: \(quote(String(rest)))")
        }
        if let pm = pmSet {
            if pm && hour < 12 { hour += 12 } else if !pm && hour == 12 { hour = 0 }
        }
        if let yd = yday {
            let base = days(year: year, month: 1, day: 1) + yd - 1
            let c = civil(days: base)
            month = c.month; day = c.day
        }
        // Validate day against the month.
        let monthDays: [Int64] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var limit = monthDays[Int(month - 1)]
        if month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) { limit = 29 }
        if day < 1 || day > limit { throw rangeFail("day") }
        let local = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        let off = offset ?? 0
        return GoTime(seconds: local - Int64(off), nanoseconds: nanos, offset: off, zoneName: zoneName)
    }

    private static func parseFraction(_ rest: inout Substring) -> Int64 {
        var nanos: Int64 = 0
        var used = 0
        while let c = rest.unicodeScalars.first, ("0"..."9").contains(c) {
            if used < 9 { nanos = nanos * 10 + Int64(c.value - 48) }
            used += 1
            rest = rest.dropFirst()
        }
        var scale = used
        while scale < 9 { nanos *= 10; scale += 1 }
        return nanos
    }

    static func layoutText(_ token: Token) -> String {
        switch token {
        case .literal(let s): return s
        case .longMonth: return "January"
        case .month: return "Jan"
        case .numMonth: return "1"
        case .zeroMonth: return "01"
        case .longWeekDay: return "Monday"
        case .weekDay: return "Mon"
        case .day: return "2"
        case .underDay: return "_2"
        case .zeroDay: return "02"
        case .underYearDay: return "__2"
        case .zeroYearDay: return "002"
        case .hour: return "15"
        case .hour12: return "3"
        case .zeroHour12: return "03"
        case .minute: return "4"
        case .zeroMinute: return "04"
        case .second: return "5"
        case .zeroSecond: return "05"
        case .longYear: return "2006"
        case .year: return "06"
        case .pm: return "PM"
        case .lowerPM: return "pm"
        case .tz: return "MST"
        case .isoTZ: return "Z0700"
        case .isoColonTZ: return "Z07:00"
        case .isoShortTZ: return "Z07"
        case .isoColonSecondsTZ: return "Z07:00:00"
        case .isoSecondsTZ: return "Z070000"
        case .numTZ: return "-0700"
        case .numColonTZ: return "-07:00"
        case .numShortTZ: return "-07"
        case .numColonSecondsTZ: return "-07:00:00"
        case .numSecondsTZ: return "-070000"
        case .fraction(let n, let trim): return "." + String(repeating: trim ? "9" : "0", count: n)
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// Parses a Go duration string such as `1h2m3.5s` into nanoseconds.
    public static func parseDuration(_ text: String) throws(Failure) -> Int64 {
        let invalid = Failure(description: "time: invalid duration \(quote(text))")
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        if s == "0" { return 0 }
        if s.isEmpty { throw invalid }
        var total: Double = 0
        var exact: Int64 = 0
        var exactOK = true
        let units: [(String, Int64)] = [("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
                                         ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        while !s.isEmpty {
            let intPart = s.prefix { $0.isASCII && $0.isNumber }
            s = s.dropFirst(intPart.count)
            var fracPart: Substring = ""
            if s.first == "." {
                s = s.dropFirst()
                fracPart = s.prefix { $0.isASCII && $0.isNumber }
                s = s.dropFirst(fracPart.count)
            }
            if intPart.isEmpty && fracPart.isEmpty { throw invalid }
            let unitText = s.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard !unitText.isEmpty else {
                throw Failure(description: "time: missing unit in duration \(quote(text))")
            }
            guard let unit = units.first(where: { $0.0 == unitText })?.1 else {
                throw Failure(description: "time: unknown unit \(quote(String(unitText))) in duration \(quote(text))")
            }
            s = s.dropFirst(unitText.count)
            let value = Double("\(intPart.isEmpty ? "0" : intPart).\(fracPart.isEmpty ? "0" : fracPart)") ?? 0
            total += value * Double(unit)
            if let i = Int64(intPart.isEmpty ? "0" : intPart) {
                let (p, o) = i.multipliedReportingOverflow(by: unit)
                if o { exactOK = false } else {
                    var fracNanos: Int64 = 0
                    if !fracPart.isEmpty {
                        fracNanos = Int64((Double("0." + fracPart)! * Double(unit)).rounded(.down))
                    }
                    let (sum, o2) = exact.addingReportingOverflow(p + fracNanos)
                    if o2 { exactOK = false } else { exact = sum }
                }
            } else { exactOK = false }
        }
        if !exactOK || total > 9.3e18 { throw invalid }
        return negative ? -exact : exact
    }
}
