/// The word lists of `PlaceData`, hashed once per process for LOCATION, NRP and
/// ORGANIZATION. Immutable after construction, hence safely shared between threads.
final class PlaceLexicon: Sendable {
    static let shared = PlaceLexicon()

    /// A multi-word entry: the hashes of its words, and whether a lone occurrence needs a cue.
    struct Entry: Sendable {
        let words: [UInt64]
        let ambiguous: Bool
        /// A country or territory (not a region or city): an ambiguous one needs a weaker cue.
        let country: Bool
    }

    /// Countries, regions and cities, keyed by their first word; longest entries first.
    let places: WordMap<[Entry]>
    /// Nationalities, religions and political groups, keyed by their first word; longest first.
    let groups: WordMap<[Entry]>
    /// Group words that also name a language ("English", "French"): not NRP after "in", "speak", ...
    let languages: WordSet
    /// Words before a place that make an ambiguous name a place: "from Jordan", "in Georgia".
    let placeCues: WordSet
    /// Words before a language name that make it a language: "in French", "speak German".
    let languageCues: WordSet
    /// Words after a language name that make it a language: "English translation".
    let languageNouns: WordSet
    /// Words before a name that make it a place: "North", "Lake", "Port".
    let placePrefixes: WordSet
    /// Lower-case words that may sit inside a multi-word place ("Trinidad and Tobago", "Isle of Man").
    let connectors: WordSet
    /// English place-name endings ("-ville", "-shire"), lower case, longest first.
    let placeSuffixes: [[UInt8]]
    /// Organisation designators after a name ("Inc", "LLC", "Group").
    let orgSuffixes: WordSet
    /// Family names that are common words too ("Brown", "Hill"); see `PlaceData.familyWords`.
    let familyWords: WordSet

    private init() {
        let names = Lexicon.shared
        /// Words of an entry: the alphanumeric runs of the line, lower-cased and hashed.
        func words(_ line: Substring) -> [UInt64] {
            var result: [UInt64] = []
            var current: [UInt8] = []
            for b in line.utf8 {
                if Bytes.isAlnum(b) || b >= 0x80 { current.append(Bytes.lower(b)) } else if !current.isEmpty {
                    result.append(Bytes.hashLower(String(decoding: current, as: UTF8.self)))
                    current = []
                }
            }
            if !current.isEmpty { result.append(Bytes.hashLower(String(decoding: current, as: UTF8.self))) }
            return result
        }
        let commonWords = Bytes.hashSet(["turkey", "jersey", "guinea", "reunion", "china", "japan", "chad", "nice", "reading", "mobile", "independence"])
        func table(_ sources: [String], countries: Int = 0) -> WordMap<[Entry]> {
            var byFirst: [UInt64: [Entry]] = [:]
            for (index, source) in sources.enumerated() {
                for line in source.split(separator: "\n") {
                    let w = words(line)
                    guard let first = w.first else { continue }
                    let ambiguous = w.count == 1 && (names.firstNames.contains(first) || names.surnames.contains(first) || commonWords.contains(first))
                    byFirst[first, default: []].append(Entry(words: w, ambiguous: ambiguous, country: index < countries))
                }
            }
            return WordMap(byFirst.map { ($0.key, $0.value.sorted { $0.words.count > $1.words.count }) })
        }
        places = table([PlaceData.countries, PlaceData.regions, PlaceData.cities], countries: 1)
        groups = table([PlaceData.nationalities, PlaceData.religions, PlaceData.political])
        languages = Bytes.hashSet([
            "english", "french", "german", "spanish", "italian", "portuguese", "russian", "chinese", "japanese", "korean", "dutch",
            "polish", "greek", "turkish", "swedish", "danish", "norwegian", "finnish", "hungarian", "czech", "thai", "vietnamese",
            "persian", "arabic", "hebrew", "hindi", "welsh", "irish", "scottish", "catalan", "basque", "kurdish", "malay", "tibetan",
        ])
        placeCues = Bytes.hashSet([
            "in", "from", "to", "at", "near", "visit", "visited", "visiting", "across", "throughout", "toward", "towards", "via",
            "into", "around", "of", "leaving", "left", "reached", "flew", "fly", "moved", "travel", "travelled", "traveled",
        ])
        languageCues = Bytes.hashSet([
            "in", "into", "to", "speak", "speaks", "spoke", "speaking", "translate", "translated", "translating", "learn",
            "learning", "fluent", "native", "from", "write", "written", "read", "understand", "study", "studying", "studied",
            "teach", "teaches", "teaching", "taught", "major", "majored", "majoring", "degree",
        ])
        languageNouns = Bytes.hashSet([
            "language", "languages", "translation", "translations", "text", "version", "word", "words", "speaker", "speakers",
            "course", "class", "lesson", "lessons", "grammar", "sentence", "sentences", "subtitles", "literature", "dictionary",
        ])
        placePrefixes = Bytes.hashSet(["north", "south", "east", "west", "new", "lake", "port", "fort", "mount"])
        connectors = Bytes.hashSet(["and", "of", "the", "de", "d", "da", "del", "du", "la", "le", "upon", "on"])
        placeSuffixes = [
            "borough", "chester", "haven", "mouth", "shire", "burgh", "ville", "field", "stad", "furt", "berg", "burg", "bury",
            "view", "port", "fort", "side", "town", "land", "ford", "wood", "ton",
        ].map { Array($0.utf8) }
        familyWords = Bytes.hashSet(PlaceData.familyWords.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        orgSuffixes = Bytes.hashSet([
            "inc", "llc", "ltd", "plc", "corp", "co", "group", "gmbh", "ag", "company", "corporation", "limited", "partners",
            "associates", "holdings", "llp", "lp", "incorporated",
        ])
    }
}
