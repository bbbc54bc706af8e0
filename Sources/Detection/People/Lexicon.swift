
/// Word lists the recognizers consult, hashed once per process (`Bytes.hashLower`).
/// Immutable after construction, hence safely shared between threads.
final class Lexicon: Sendable {
    static let shared = Lexicon()

    let firstNames: WordSet
    let surnames: WordSet
    /// Capitalised words that are not names: titles, months, days, pronouns, common sentence starters.
    let notNames: WordSet
    /// Honorifics before a name (Mr, Mrs, Dr, ...).
    let titles: WordSet
    /// Words right before a name ("name is", "Dear", "Patient").
    let nameCues: WordSet
    /// Street suffixes (USPS Publication 28 names and abbreviations).
    let streetSuffixes: WordSet
    /// Secondary unit designators (Apt, Suite, Unit, ...).
    let unitWords: WordSet
    /// US state and territory abbreviations.
    let states: WordSet
    /// Organisation suffixes (Inc, LLC, Ltd, ...).
    let orgSuffixes: WordSet

    private init() {
        func lines(_ s: String) -> WordSet {
            WordSet(s.split(separator: "\n").map { Bytes.hashLower(String($0)) })
        }
        firstNames = lines(NameData.firstNames)
        surnames = lines(NameData.surnames)
        func words(_ s: String) -> WordSet { Bytes.hashSet(s.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)) }
        notNames = words("""
        i im ive id me my we us our you your he him his she her they them their it its this that these those the a an
        and or but if so as at by for from in into of on onto to with without about after before over under up down
        is are was were be been am do does did has have had can could will would shall should may might must
        what which who whom whose when where why how yes no not please thanks thank hello hi hey dear ok okay
        january february march april may june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec
        monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
        mr mrs ms miss dr prof sir madam mx st
        name patient member customer client user account card number phone email address street city state zip
        dob ssn mrn npi dea dx icd iban aba bank routing passport license licence driver doctor nurse provider
        north south east west new old lake port fort mount saint san santa los las el la le de del du van von
        company inc llc ltd plc group corp university college school hospital clinic center centre
        god jesus christ lord allah buddha
        english french german spanish italian chinese japanese american british european african asian
        monday's today tomorrow yesterday morning evening night
        apt suite unit floor room box po apo fpo dpo
        """)
        titles = words("mr mrs ms miss dr prof mx sir madam rev hon mister doctor professor")
        nameCues = words("name named dear hi hello hey patient pt thanks regards sincerely cheers signed by attn attention cc says said told tell asked ask meet met call member prescriber")
        streetSuffixes = words("""
        alley aly allee annex anx arcade arc avenue ave av bayou bayoo beach bch bend bnd bluff blf bluffs blfs bottom btm
        boulevard blvd branch br bridge brg brook brk brooks burg bg burgs bgs bypass byp camp cp canyon cyn cape cpe
        causeway cswy center ctr centers ctrs circle cir circles cirs cliff clf cliffs clfs club clb common cmn commons cmns
        corner cor corners cors course crse court ct courts cts cove cv coves cvs creek crk crescent cres crest crst
        crossing xing crossroad xrd crossroads xrds curve curv dale dl dam dm divide dv drive dr drives drs estate est estates ests
        expressway expy extension ext extensions exts fall falls fls ferry fry field fld fields flds flat flt flats flts ford frd fords frds
        forest frst forge frg forges frgs fork frk forks frks fort ft freeway fwy garden gdn gardens gdns gateway gtwy glen gln glens glns
        green grn greens grns grove grv groves grvs harbor hbr harbors hbrs haven hvn heights hts highway hwy hill hl hills hls
        hollow holw inlet inlt island is islands iss isle isles junction jct junctions jcts key ky keys kys knoll knl knolls knls
        lake lk lakes lks land landing lndg lane ln light lgt lights lgts loaf lf lock lck locks lcks lodge ldg loop lp mall
        manor mnr manors mnrs meadow mdw meadows mdws mews mill ml mills mls mission msn motorway mtwy mount mt mountain mtn mountains mtns
        neck nck orchard orch oval ovl overpass opas park parks parkway pkwy parkways pass passage psge path pike pine pne pines pnes
        place pl plain pln plains plns plaza plz point pt points pts port prt ports prts prairie pr radial radl ramp ranch rnch
        rapid rpd rapids rpds rest rst ridge rdg ridges rdgs river riv road rd roads rds route rte row rue run shoal shl shoals shls
        shore shr shores shrs skyway skwy spring spg springs spgs spur spurs square sq squares sqs station sta stravenue stra
        stream strm street st streets sts summit smt terrace ter throughway trwy trace trce track trak trafficway trfy trail trl
        trailer trlr tunnel tunl turnpike tpke underpass upas union un unions uns valley vly valleys vlys viaduct via view vw views vws
        village vlg villages vlgs ville vl vista vis walk walks wall way ways well wl wells wls
        """)
        unitWords = words("apt apartment suite ste unit floor fl room rm bldg building dept lot trlr space")
        states = words("""
        al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny nc nd oh ok or pa ri sc sd
        tn tx ut vt va wa wv wi wy dc as gu mp pr vi aa ae ap pw fm mh
        """)
        orgSuffixes = words("inc llc ltd plc corp co group gmbh ag sa company corporation limited partners associates sons")
    }
}
