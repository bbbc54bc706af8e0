// Word lists for LOCATION and NRP, written for Astral from public facts (country
// and territory names, US state names, demonyms, world religions, political
// families). Lower case, one entry per line; multi-word entries are matched word
// by word.

enum PlaceData {
    /// Sovereign states, territories and common short forms.
    static let countries = """
    afghanistan
    albania
    algeria
    american samoa
    andorra
    angola
    anguilla
    antarctica
    antigua and barbuda
    argentina
    armenia
    aruba
    australia
    austria
    azerbaijan
    bahamas
    bahrain
    bangladesh
    barbados
    belarus
    belgium
    belize
    benin
    bermuda
    bhutan
    bolivia
    bosnia and herzegovina
    botswana
    bouvet island
    brazil
    british indian ocean territory
    british virgin islands
    brunei
    brunei darussalam
    bulgaria
    burkina faso
    burma
    burundi
    cambodia
    cameroon
    canada
    cape verde
    cabo verde
    cayman islands
    central african republic
    chad
    chile
    china
    christmas island
    cocos islands
    colombia
    comoros
    congo
    cook islands
    costa rica
    cote d'ivoire
    ivory coast
    croatia
    cuba
    curacao
    cyprus
    czech republic
    czechia
    denmark
    djibouti
    dominica
    dominican republic
    east timor
    ecuador
    egypt
    el salvador
    england
    equatorial guinea
    eritrea
    estonia
    eswatini
    ethiopia
    falkland islands
    faroe islands
    fiji
    finland
    france
    french guiana
    french polynesia
    french southern territories
    gabon
    gambia
    georgia
    germany
    ghana
    gibraltar
    great britain
    greece
    greenland
    grenada
    guadeloupe
    guam
    guatemala
    guernsey
    guinea
    guinea-bissau
    guyana
    haiti
    heard island and mcdonald islands
    holy see
    honduras
    hong kong
    hungary
    iceland
    india
    indonesia
    iran
    iraq
    ireland
    isle of man
    israel
    italy
    jamaica
    japan
    jersey
    jordan
    kazakhstan
    kenya
    kiribati
    korea
    north korea
    south korea
    kosovo
    kuwait
    kyrgyzstan
    kyrgyz republic
    laos
    lao people's democratic republic
    latvia
    lebanon
    lesotho
    liberia
    libya
    libyan arab jamahiriya
    liechtenstein
    lithuania
    luxembourg
    macao
    macau
    macedonia
    north macedonia
    madagascar
    malawi
    malaysia
    maldives
    mali
    malta
    marshall islands
    martinique
    mauritania
    mauritius
    mayotte
    mexico
    micronesia
    moldova
    monaco
    mongolia
    montenegro
    montserrat
    morocco
    mozambique
    myanmar
    namibia
    nauru
    nepal
    netherlands
    netherlands antilles
    new caledonia
    new zealand
    nicaragua
    niger
    nigeria
    niue
    norfolk island
    northern ireland
    northern mariana islands
    norway
    oman
    pakistan
    palau
    palestine
    palestinian territory
    panama
    papua new guinea
    paraguay
    peru
    philippines
    pitcairn islands
    poland
    portugal
    puerto rico
    qatar
    reunion
    romania
    russia
    russian federation
    rwanda
    saint barthelemy
    saint helena
    saint kitts and nevis
    saint lucia
    saint martin
    saint pierre and miquelon
    saint vincent and the grenadines
    samoa
    san marino
    sao tome and principe
    saudi arabia
    scotland
    senegal
    serbia
    seychelles
    sierra leone
    singapore
    slovakia
    slovak republic
    slovenia
    solomon islands
    somalia
    south africa
    south georgia and the south sandwich islands
    south sudan
    spain
    sri lanka
    sudan
    suriname
    svalbard & jan mayen islands
    svalbard and jan mayen
    swaziland
    sweden
    switzerland
    syria
    syrian arab republic
    taiwan
    tajikistan
    tanzania
    thailand
    tibet
    timor-leste
    togo
    tokelau
    tonga
    trinidad and tobago
    tunisia
    turkey
    turkiye
    turkmenistan
    turks and caicos islands
    tuvalu
    uganda
    ukraine
    united arab emirates
    united kingdom
    united states
    united states of america
    united states minor outlying islands
    united states virgin islands
    uruguay
    uzbekistan
    vanuatu
    vatican city
    venezuela
    vietnam
    viet nam
    wales
    wallis and futuna
    western sahara
    yemen
    zambia
    zimbabwe
    usa
    uk
    uae
    """

    /// US states and District of Columbia, full names; Canadian provinces.
    static let regions = """
    alabama
    alaska
    arizona
    arkansas
    california
    colorado
    connecticut
    delaware
    district of columbia
    florida
    georgia
    hawaii
    idaho
    illinois
    indiana
    iowa
    kansas
    kentucky
    louisiana
    maine
    maryland
    massachusetts
    michigan
    minnesota
    mississippi
    missouri
    montana
    nebraska
    nevada
    new hampshire
    new jersey
    new mexico
    new york
    north carolina
    north dakota
    ohio
    oklahoma
    oregon
    pennsylvania
    rhode island
    south carolina
    south dakota
    tennessee
    texas
    utah
    vermont
    virginia
    washington
    west virginia
    wisconsin
    wyoming
    alberta
    british columbia
    manitoba
    new brunswick
    newfoundland
    nova scotia
    ontario
    quebec
    saskatchewan
    bavaria
    catalonia
    andalusia
    tuscany
    siberia
    patagonia
    yorkshire
    cornwall
    """

    /// Large and well-known cities.
    static let cities = """
    abu dhabi
    accra
    addis ababa
    amsterdam
    ankara
    athens
    atlanta
    auckland
    austin
    baghdad
    baltimore
    bangkok
    barcelona
    beijing
    beirut
    belfast
    belgrade
    berlin
    bogota
    boston
    brisbane
    brussels
    bucharest
    budapest
    buenos aires
    cairo
    calgary
    cape town
    caracas
    casablanca
    charlotte
    chicago
    cleveland
    copenhagen
    dallas
    damascus
    delhi
    new delhi
    denver
    detroit
    dhaka
    doha
    dubai
    dublin
    edinburgh
    frankfurt
    geneva
    glasgow
    guangzhou
    hamburg
    hanoi
    havana
    helsinki
    ho chi minh city
    honolulu
    houston
    istanbul
    jakarta
    jerusalem
    johannesburg
    kabul
    karachi
    kiev
    kyiv
    kinshasa
    kuala lumpur
    lagos
    lahore
    las vegas
    leeds
    lima
    lisbon
    liverpool
    london
    los angeles
    lyon
    madrid
    manchester
    manila
    marseille
    melbourne
    memphis
    miami
    milan
    minneapolis
    montreal
    moscow
    mumbai
    munich
    nairobi
    naples
    nashville
    new orleans
    oslo
    ottawa
    paris
    perth
    philadelphia
    phoenix
    pittsburgh
    portland
    prague
    pyongyang
    quito
    rabat
    reykjavik
    riga
    rio de janeiro
    riyadh
    rome
    rotterdam
    sacramento
    san antonio
    san diego
    san francisco
    san jose
    santiago
    sao paulo
    seattle
    seoul
    shanghai
    shenzhen
    st. louis
    stockholm
    sydney
    taipei
    tallinn
    tehran
    tel aviv
    tokyo
    toronto
    tunis
    vancouver
    venice
    vienna
    vilnius
    warsaw
    wellington
    zagreb
    zurich
    """

    /// Nationality, regional and ethnic group words (adjectives and plural nouns).
    static let nationalities = """
    afghan
    afghans
    african
    africans
    african american
    african americans
    albanian
    albanians
    algerian
    algerians
    american
    americans
    andorran
    angolan
    angolans
    antiguan
    arab
    arabs
    argentine
    argentinian
    argentinians
    armenian
    armenians
    asian
    asians
    australian
    australians
    austrian
    austrians
    azerbaijani
    azerbaijanis
    bahamian
    bahraini
    bangladeshi
    bangladeshis
    barbadian
    basque
    basques
    belarusian
    belgian
    belgians
    belizean
    belizian
    beninese
    bhutanese
    bolivian
    bolivians
    bosnian
    bosnians
    botswanan
    brazilian
    brazilians
    british
    briton
    britons
    bruneian
    bulgarian
    bulgarians
    burkinabe
    burkinese
    burmese
    burundian
    cambodian
    cambodians
    cameroonian
    cameroonians
    canadian
    canadians
    cape verdean
    cape verdeans
    caribbean
    catalan
    catalans
    central african
    chadian
    chilean
    chileans
    chinese
    colombian
    colombians
    comoran
    congolese
    costa rican
    costa ricans
    croatian
    croatians
    croat
    croats
    cuban
    cubans
    cypriot
    cypriots
    czech
    czechs
    dane
    danes
    danish
    djiboutian
    dominican
    dominicans
    dutch
    ecuadorian
    ecuadorians
    egyptian
    egyptians
    emirati
    emiratis
    english
    equatorial guinean
    eritrean
    eritreans
    estonian
    estonians
    ethiopian
    ethiopians
    european
    europeans
    fijian
    fijians
    filipino
    filipinos
    finn
    finns
    finnish
    french
    gabonese
    gambian
    georgian
    georgians
    german
    germans
    ghanaian
    ghanaians
    greek
    greeks
    grenadian
    guatemalan
    guatemalans
    guinean
    guyanese
    haitian
    haitians
    hispanic
    hispanics
    honduran
    hondurans
    hungarian
    hungarians
    icelander
    icelanders
    icelandic
    indian
    indians
    indonesian
    indonesians
    iranian
    iranians
    iraqi
    iraqis
    irish
    israeli
    israelis
    italian
    italians
    ivorian
    jamaican
    jamaicans
    japanese
    jordanian
    jordanians
    kazakh
    kazakhs
    kenyan
    kenyans
    korean
    koreans
    kosovar
    kurd
    kurds
    kurdish
    kuwaiti
    kuwaitis
    kyrgyz
    lao
    laotian
    latin american
    latin americans
    latino
    latinos
    latina
    latinas
    latvian
    latvians
    lebanese
    liberian
    liberians
    libyan
    libyans
    lithuanian
    lithuanians
    luxembourger
    macedonian
    macedonians
    malagasy
    malawian
    malaysian
    malaysians
    maldivian
    malian
    maltese
    mauritanian
    mauritian
    mexican
    mexicans
    middle eastern
    middle-eastern
    middle-easterns
    moldovan
    monegasque
    mongolian
    mongolians
    montenegrin
    moroccan
    moroccans
    mozambican
    namibian
    nepalese
    nepali
    new zealander
    new zealanders
    nicaraguan
    nicaraguans
    nigerian
    nigerians
    nigerien
    norwegian
    norwegians
    omani
    pakistani
    pakistanis
    palestinian
    palestinians
    panamanian
    panamanians
    paraguayan
    paraguayans
    persian
    persians
    peruvian
    peruvians
    pole
    poles
    polish
    portuguese
    puerto rican
    puerto ricans
    qatari
    romanian
    romanians
    russian
    russians
    rwandan
    rwandans
    salvadoran
    salvadorans
    samoan
    saudi
    saudis
    scandinavian
    scandinavians
    scot
    scots
    scottish
    senegalese
    serb
    serbs
    serbian
    serbians
    sierra leonean
    singaporean
    singaporeans
    slovak
    slovaks
    slovakian
    slovene
    slovenes
    slovenian
    somali
    somalis
    south african
    south africans
    spaniard
    spaniards
    spanish
    sri lankan
    sri lankans
    sudanese
    surinamese
    swazi
    swede
    swedes
    swedish
    swiss
    syrian
    syrians
    taiwanese
    tajik
    tanzanian
    tanzanians
    thai
    tibetan
    tibetans
    togolese
    tongan
    trinidadian
    tunisian
    tunisians
    turk
    turks
    turkish
    turkmen
    ugandan
    ugandans
    ukrainian
    ukrainians
    uruguayan
    uruguayans
    uzbek
    uzbeks
    venezuelan
    venezuelans
    vietnamese
    welsh
    yemeni
    yemenis
    zambian
    zambians
    zimbabwean
    zimbabweans
    """

    /// Religious groups and their adjectives.
    static let religions = """
    agnostic
    agnostics
    anglican
    anglicans
    atheist
    atheists
    baptist
    baptists
    buddhist
    buddhists
    catholic
    catholics
    roman catholic
    roman catholics
    christian
    christians
    evangelical
    evangelicals
    hindu
    hindus
    jain
    jains
    jehovah's witness
    jehovah's witnesses
    jew
    jews
    jewish
    lutheran
    lutherans
    methodist
    methodists
    mormon
    mormons
    muslim
    muslims
    moslem
    orthodox
    pentecostal
    presbyterian
    presbyterians
    protestant
    protestants
    quaker
    quakers
    rastafarian
    shia
    shiite
    shiites
    sikh
    sikhs
    sunni
    sunnis
    taoist
    zoroastrian
    """

    /// Political groups and movements.
    static let political = """
    communist
    communists
    conservative
    conservatives
    democrat
    democrats
    fascist
    fascists
    green party
    labour
    liberal democrats
    libertarian
    libertarians
    marxist
    marxists
    nationalist
    nationalists
    republican
    republicans
    socialist
    socialists
    tory
    tories
    """

    /// Family names that are also common English words (the census list used for PERSON
    /// leaves them out so that "Brown" or "Hill" alone is not a person): used as the stems
    /// of place names ("Millermouth") and in firm names ("Brown, Miller and Cooley").
    static let familyWords = """
    bell bird black bond brook brooks brown bush cash castle chase church clay cook cross day dean duke early fair farmer
    field fish ford forest fox frost gold good grace grant gray green hale hall hand hart hill hope horn house hunt hunter
    jay keen king knight lake land lane law lord love mark marsh mason may mill miller moon north page park parks pearl
    pool post power price prince ray read reed rice rich rock rose rush sharp short silver small snow south spring star
    steel stone story strong summer sweet swift wall west white wood woods young long little marshall gates banks rivers
    """
}
