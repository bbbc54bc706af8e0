import Testing
@testable import Rego

@Suite("Builtins: regular expressions")
struct BuiltinsRegexTests {
    @Test func matchesLikeGo() throws {
        #expect(try RegularExpression("a.").findAll(in: "paranormal") == ["ar", "an", "al"])
        #expect(try RegularExpression("^a.").findAll(in: "abacadaeaf") == ["ab"])
        #expect(try RegularExpression(".$").findAll(in: "abacadaeaf") == ["f"])
        #expect(try RegularExpression("[abcdef]{2}").findAll(in: "abacadaeaf") == ["ab", "ac", "ad", "ae", "af"])
        #expect(try RegularExpression("a.").findAll(in: "paranormal", limit: 2) == ["ar", "an"])
        #expect(try RegularExpression("(?i)HELLO").matches("say hello"))
        #expect(try !RegularExpression("^abc$").matches("abc\n"))
        #expect(try RegularExpression("(?m)^abc$").matches("x\nabc\ny"))
        #expect(try RegularExpression(#"\bfoo\b"#).matches("a foo b"))
        #expect(try !RegularExpression(#"\bfoo\b"#).matches("afoob"))
        #expect(try RegularExpression("[[:alpha:]]+").findAll(in: "12ab34") == ["ab"])
        #expect(try RegularExpression(#"\d+"#).findAll(in: "a1b22c333") == ["1", "22", "333"])
        #expect(try RegularExpression("a+?").findAll(in: "aaa") == ["a", "a", "a"])
        #expect(try RegularExpression("(a|ab)(c|bcd)").findAll(in: "abcd") == ["abcd"])
        #expect(try RegularExpression(#"\pL+"#).findAll(in: "12äb3") == ["äb"])
        #expect(try RegularExpression("é+").findAll(in: "ééx") == ["éé"])
    }

    @Test func submatchesAndEmptyMatches() throws {
        let re = try RegularExpression("a(x*)b")
        #expect(re.findAllSubmatches(in: "-ab-axb-") == [["ab", ""], ["axb", "x"]])
        let vowels = try RegularExpression("[^aouiye]([aouiye])([^aouiye])?")
        #expect(vowels.findAllSubmatches(in: "somestri") == [["som", "o", "m"], ["ri", "i", ""]])
        #expect(try RegularExpression("x*").findAll(in: "abc") == ["", "", "", ""])
        #expect(try RegularExpression("a*").findAll(in: "baaac") == ["", "aaa", ""])
    }

    @Test func splitAndReplace() throws {
        #expect(try RegularExpression("a").split("banana") == ["b", "n", "n", ""])
        #expect(try RegularExpression(",").split("") == [""])
        #expect(try RegularExpression("[0-9]+").split("a1b22c") == ["a", "b", "c"])
        #expect(try RegularExpression("a(x*)b").replaceAll(in: "-ab-axxb-", with: "${1}W") == "-W-xxW-")
        #expect(try RegularExpression("a(x*)b").replaceAll(in: "-ab-axxb-", with: "$1W") == "---")
        #expect(try RegularExpression("(?P<word>\\w+)").replaceAll(in: "hi you", with: "<$word>") == "<hi> <you>")
    }

    @Test func errorsReadLikeGo() {
        func message(_ pattern: String) -> String? {
            do { _ = try RegularExpression(pattern); return nil } catch { return error.description }
        }
        #expect(message("++") == "error parsing regexp: missing argument to repetition operator: `+`")
        #expect(message("a**") == "error parsing regexp: invalid nested repetition operator: `**`")
        #expect(message("(abc") == "error parsing regexp: missing closing ): `(abc`")
        #expect(message("abc)") == "error parsing regexp: unexpected ): `abc)`")
        #expect(message("[a") == "error parsing regexp: missing closing ]: `[a`")
        #expect(message("[z-a]") == "error parsing regexp: invalid character class range: `z-a`")
        #expect(message(#"\q"#) == #"error parsing regexp: invalid escape sequence: `\q`"#)
        #expect(message("a{1001}") == "error parsing regexp: invalid repeat count: `{1001}`")
        #expect(message(".+") == nil)
    }

    @Test func linearOnPathologicalPatterns() throws {
        // (a*)*b against a long run of a's backtracks exponentially in a backtracking engine.
        let re = try RegularExpression("(a*)*b")
        #expect(!re.matches(String(repeating: "a", count: 2000)))
        let nested = try RegularExpression("(x+x+)+y")
        #expect(!nested.matches(String(repeating: "x", count: 500)))
    }
}

@Suite("Builtins: glob")
struct BuiltinsGlobTests {
    @Test func globSemantics() throws {
        #expect(try Glob("*.github.com", delimiters: ["."]).matches("api.github.com"))
        #expect(try !Glob("*.github.com", delimiters: ["."]).matches("api.cdn.github.com"))
        #expect(try Glob("api.**.com", delimiters: ["."]).matches("api.cdn.github.com"))
        #expect(try Glob("[!a-c]at", delimiters: []).matches("fat"))
        #expect(try !Glob("[!a-c]at", delimiters: []).matches("bat"))
        #expect(try Glob("{cat,bat,[fr]at}", delimiters: []).matches("rat"))
        #expect(try !Glob("?at", delimiters: []).matches("at"))
        #expect(try !Glob("?at", delimiters: ["f"]).matches("fat"))
        #expect(try Glob("*", delimiters: []).matches("foo.bar"))
        #expect(try !Glob("*", delimiters: ["."]).matches("foo.bar"))
        #expect(Glob.quoteMeta("*.github.com") == #"\*.github.com"#)
    }
}

@Suite("Builtins: time")
struct BuiltinsTimeTests {
    @Test func parseLayouts() throws {
        let rfc = "2006-01-02T15:04:05Z07:00"
        #expect(try GoTime.parse(layout: rfc, value: "2017-06-02T19:00:00-07:00").unixNanoseconds == 1_496_455_200_000_000_000)
        #expect(try GoTime.parse(layout: "01/02 03:04:05PM '06 -0700", value: "06/02 07:00:00PM '17 -0700").unixNanoseconds == 1_496_455_200_000_000_000)
        #expect(try GoTime.parse(layout: GoTime.namedLayouts["RFC822Z"]!, value: "02 Jun 17 19:00 -0700").unixNanoseconds == 1_496_455_200_000_000_000)
        #expect(try GoTime.parse(layout: rfc, value: "1677-09-21T00:12:43.145224192-00:00").unixNanoseconds == Int64.min)
        #expect(try GoTime.parse(layout: rfc, value: "2262-04-11T23:47:16.854775808-00:00").unixNanoseconds == nil)
        #expect(throws: GoTime.Failure.self) { try GoTime.parse(layout: rfc, value: "nope") }
    }

    @Test func calendarAndFormat() throws {
        let t = GoTime(unixNanoseconds: 1_582_977_600_000_000_000)
        #expect(t.date == (2020, 2, 29))
        #expect(t.clock == (12, 0, 0))
        #expect(GoTime(unixNanoseconds: 1_517_918_400_000_000_000).weekdayName == "Tuesday")
        #expect(t.format(GoTime.namedLayouts["RFC3339Nano"]!) == "2020-02-29T12:00:00Z")
        #expect(GoTime(unixNanoseconds: 1_585_852_421_593_912_000).addingDate(years: -1, months: -1, days: -1).unixNanoseconds == 1_551_465_221_593_912_000)
        #expect(GoTime(unixNanoseconds: 1_500_000_000_123_000_000).format("Mon Jan _2 15:04:05.000 2006") == "Fri Jul 14 02:40:00.123 2017")
    }

    @Test func durations() throws {
        #expect(try GoTime.parseDuration("100ms") == 100_000_000)
        #expect(try GoTime.parseDuration("1h2m3.5s") == 3_723_500_000_000)
        #expect(try GoTime.parseDuration("-1.5us") == -1_500)
        #expect(throws: GoTime.Failure.self) { try GoTime.parseDuration("5 minutes") }
    }
}

@Suite("Builtins: quantities, versions and networks")
struct BuiltinsQuantityTests {
    @Test func units() throws {
        #expect(try Units.parse("500m").literal == "0.5")
        #expect(try Units.parse("1.1Ki").literal == "1126.4")
        #expect(try Units.parse("0.0000005M").literal == "0.5")
        #expect(try Units.parse("\"100TI\"").literal == "109951162777600")
        #expect(try Units.parseBytes("1.1KiB") == 1126)
        #expect(try Units.parseBytes("10KIB") == 10240)
        #expect(try Units.parseBytes(".5KB") == 500)
        #expect(throws: Units.Failure(description: "no amount provided")) { try Units.parse("G") }
        #expect(throws: Units.Failure(description: "could not parse amount to a number")) { try Units.parse("0.0.0") }
        #expect(throws: Units.Failure(description: "spaces not allowed in resource strings")) { try Units.parse("100 k") }
    }

    @Test func semver() {
        #expect(SemanticVersion("1.2.3-alpha.1+build") != nil)
        #expect(SemanticVersion("1.2") == nil)
        #expect(SemanticVersion("01.2.3") == nil)
        #expect(SemanticVersion.compare(SemanticVersion("1.0.0-alpha")!, SemanticVersion("1.0.0")!) == -1)
        #expect(SemanticVersion.compare(SemanticVersion("1.0.0-alpha.2")!, SemanticVersion("1.0.0-alpha.10")!) == -1)
        #expect(SemanticVersion.compare(SemanticVersion("2.0.0")!, SemanticVersion("1.9.9")!) == 1)
    }

    @Test func cidrs() throws {
        let net = try IPNetwork.parseCIDR("10.0.0.0/8")
        #expect(net.contains(IPNetwork.parseAddress("10.1.2.3")!))
        #expect(!net.contains(IPNetwork.parseAddress("11.1.2.3")!))
        #expect(try IPNetwork.parseCIDR("2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64").description == "2601:600:8a80:207e::/64")
        let merged = IPNetwork.merge(try ["192.0.2.112/30", "192.0.2.116/31", "192.0.2.118/31"].map(IPNetwork.parseCIDR))
        #expect(merged.map(\.description) == ["192.0.2.112/29"])
        let mixed = IPNetwork.merge(try ["192.0.2.112/31", "192.0.2.116/31", "192.0.2.118/31"].map(IPNetwork.parseCIDR))
        #expect(mixed.map(\.description) == ["192.0.2.112/31", "192.0.2.116/30"])
        #expect(IPNetwork.merge(try ["::/0", "fe80::1/128"].map(IPNetwork.parseCIDR)).map(\.description) == ["::/0"])
        #expect(try IPNetwork.parseCIDR("192.168.1.1/30").addresses(limit: 10) == ["192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.3"])
        #expect(throws: IPNetwork.Failure.self) { try IPNetwork.parseCIDR("10.0.0.0/33") }
    }
}
