import Testing
@testable import Detection

/// LOCATION, NRP, ORGANIZATION and URL: each recognised in context, and the look-alikes
/// (people named after places, languages, common phrases) left alone.
@Suite struct PlaceTests {
    static let detector = try! Detector(configuration: .init(injectionEnabled: false))

    /// (type, covered text) of every finding.
    func found(_ text: String) throws -> [(String, String)] {
        let scalars = Array(text.unicodeScalars)
        return try Self.detector.findSensitiveData(text).map { f in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[f.start..<f.end])
            return (f.type, String(view))
        }
    }

    @Test(arguments: [
        ("She moved here from Paraguay last year.", "LOCATION", "Paraguay"),
        ("We flew from Jordan to Egypt.", "LOCATION", "Jordan"),
        ("I'm glad to hear that Kenya is moving in that direction.", "LOCATION", "Kenya"),
        ("Who's coming to Falkland Islands (Malvinas) with me?", "LOCATION", "Falkland Islands (Malvinas)"),
        ("He grew up in New York and Buenos Aires.", "LOCATION", "Buenos Aires"),
        ("My friend lives in Jacksonville.", "LOCATION", "Jacksonville"),
        ("The Princess Royal arrived at Lake Edwinberg this morning.", "LOCATION", "Lake Edwinberg"),
        ("8129 Douglas Harbors\nSuite 352\nLake Edwinberg\nGeorgia 17348", "LOCATION", "Georgia"),
        ("Georgia Smith called from Atlanta, Georgia 30301.", "LOCATION", "Georgia"),
        ("We are proud Austrians.", "NRP", "Austrians"),
        ("Turner LLC is a Cape Verdean multinational bank.", "NRP", "Cape Verdean"),
        ("Christian values matter to him.", "NRP", "Christian"),
        ("Thompson Ltd is a design agency.", "ORGANIZATION", "Thompson Ltd"),
        ("I work for Brown, Miller and Cooley.", "ORGANIZATION", "Brown, Miller and Cooley"),
        ("The Schultz-Bradley website is down.", "ORGANIZATION", "Schultz-Bradley"),
        ("We'll meet at Howell and Sons tomorrow.", "ORGANIZATION", "Howell and Sons"),
        ("Beneficiary: Martinez Group.", "ORGANIZATION", "Martinez Group"),
        ("See https://example.com/docs/page_(disambiguation)). Thanks.", "URL", "https://example.com/docs/page_(disambiguation)"),
        ("Visit www.example.org, then leave.", "URL", "www.example.org"),
        ("mirror: ftp://files.example.net/pub/.", "URL", "ftp://files.example.net/pub/"),
        ("dev server at http://localhost:8080/api?x=1", "URL", "http://localhost:8080/api?x=1"),
    ])
    func recognises(text: String, type: String, value: String) throws {
        let findings = try found(text)
        #expect(findings.contains { $0 == (type, value) }, "\(type) \(value) in \(text): \(findings)")
    }

    @Test(arguments: [
        ("Michael Jordan played ball.", "LOCATION"),          // a person named after a country
        ("Jordan Peterson wrote a book.", "LOCATION"),
        ("Dear Kenya, thanks for the card.", "LOCATION"),
        ("She speaks French and German fluently.", "NRP"),     // languages
        ("He was studying English and journalism.", "NRP"),
        ("Christian said hello.", "NRP"),                      // a given name
        ("The Focus Group met on Monday.", "ORGANIZATION"),    // not a family name before "Group"
        ("Jean-Pierre called yesterday.", "ORGANIZATION"),     // two given names
        ("Mrs. Smith-Jones called.", "ORGANIZATION"),          // a titled person
        ("Red, White and Blue", "ORGANIZATION"),
        ("the ratio is 3://4 here and http://nohost/ too", "URL"),
        ("Washington Alley is closed.", "LOCATION"),           // a street
    ])
    func leavesAlone(text: String, type: String) throws {
        let findings = try found(text)
        #expect(!findings.contains { $0.0 == type }, "\(type) in \(text): \(findings)")
    }

    @Test func namesNamedAfterPlacesStayPeople() throws {
        #expect(try found("Michael Jordan played for Chicago.").contains { $0 == ("PERSON", "Michael Jordan") })
        #expect(try found("Georgia Smith called.").contains { $0 == ("PERSON", "Georgia Smith") })
    }

    @Test func aPasswordInsideAURLIsASecretNotAURL() throws {
        let findings = try found("DATABASE_URL=postgres://app:t3lv8wEhZXbZyxJvJCht@db.internal:5432/prod")
        #expect(findings.contains { $0 == ("SECRET", "t3lv8wEhZXbZyxJvJCht") })
        #expect(!findings.contains { $0.0 == "URL" })
    }
}
