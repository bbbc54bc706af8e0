/// A credential recognised by a fixed prefix (gitleaks rule ids).
struct PrefixRule {
    let prefix: [UInt8]
    let rule: String
    /// Length bounds of the part after the prefix.
    let minBody: Int
    let maxBody: Int
}

enum SecretRules {
    /// `prefix rule minBody maxBody`, one per line. Prefixes are case-sensitive.
    static let prefixSource = """
    AKIA aws-access-token 16 16
    ASIA aws-access-token 16 16
    ABIA aws-access-token 16 16
    ACCA aws-access-token 16 16
    A3T aws-access-token 17 17
    ABSK aws-amazon-bedrock-api-key-long-lived 100 400
    bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t aws-amazon-bedrock-api-key-short-lived 0 400
    AIza gcp-api-key 35 35
    ghp_ github-pat 36 36
    gho_ github-oauth 36 36
    ghu_ github-app-token 36 36
    ghs_ github-app-token 36 36
    ghr_ github-refresh-token 36 76
    github_pat_ github-fine-grained-pat 82 82
    glpat- gitlab-pat 20 60
    gldt- gitlab-deploy-token 20 40
    glft- gitlab-feed-token 20 40
    glimt- gitlab-incoming-mail-token 25 40
    glagent- gitlab-kubernetes-agent-token 50 60
    gloas- gitlab-oauth-app-secret 64 64
    glptt- gitlab-ptt 40 40
    GR1348941 gitlab-rrt 20 40
    glrt- gitlab-runner-authentication-token 20 60
    glsoat- gitlab-scim-token 20 40
    glcbt- gitlab-cicd-job-token 20 60
    glffct- gitlab-feature-flag-client-token 20 40
    _gitlab_session= gitlab-session-cookie 32 32
    xoxb- slack-bot-token 24 120
    xoxp- slack-user-token 40 200
    xoxa- slack-legacy-workspace-token 8 120
    xoxr- slack-legacy-workspace-token 8 120
    xoxo- slack-legacy-token 20 120
    xoxs- slack-legacy-token 20 120
    xapp- slack-app-token 40 200
    xoxe.xoxb- slack-config-access-token 100 400
    xoxe.xoxp- slack-config-access-token 100 400
    xoxe- slack-config-refresh-token 40 200
    sk_live_ stripe-access-token 10 120
    sk_test_ stripe-access-token 10 120
    rk_live_ stripe-access-token 10 120
    rk_test_ stripe-access-token 10 120
    sk-proj- openai-api-key 40 300
    sk-svcacct- openai-api-key 40 300
    sk-admin- openai-api-key 40 300
    sk-ant-api03- anthropic-api-key 90 100
    sk-ant-admin01- anthropic-admin-api-key 90 100
    hf_ huggingface-access-token 34 34
    api_org_ huggingface-organization-api-token 34 34
    SG. sendgrid-api-token 66 66
    npm_ npm-access-token 36 36
    pypi-AgEIcHlwaS5vcmc pypi-upload-token 50 200
    dop_v1_ digitalocean-pat 64 64
    doo_v1_ digitalocean-access-token 64 64
    dor_v1_ digitalocean-refresh-token 64 64
    shpat_ shopify-access-token 32 32
    shpca_ shopify-custom-access-token 32 32
    shppa_ shopify-private-app-access-token 32 32
    shpss_ shopify-shared-secret 32 32
    lin_api_ linear-api-key 40 40
    ntn_ notion-api-token 46 46
    NRAK- new-relic-user-api-key 27 27
    NRJS- new-relic-browser-api-token 19 19
    NRII- new-relic-insert-key 32 32
    PMAK- postman-api-token 59 59
    pplx- perplexity-api-key 48 48
    glc_ grafana-cloud-api-token 32 400
    glsa_ grafana-service-account-token 41 41
    eyJrIjoi grafana-api-key 62 100
    dt0c01. dynatrace-api-token 80 90
    EZAK easypost-api-token 54 54
    EZTK easypost-test-api-token 54 54
    FLWSECK_TEST- flutterwave-encryption-key 12 12
    FLWSECK- flutterwave-secret-key 32 40
    FLWPUBK_TEST- flutterwave-public-key 32 40
    fio-u- frameio-api-token 64 64
    pscale_tkn_ planetscale-api-token 32 64
    pscale_oauth_ planetscale-oauth-token 32 64
    pscale_pw_ planetscale-password 32 64
    tfp_ typeform-api-token 59 59
    dnkey- defined-networking-api-token 60 120
    ops_eyJ 1password-service-account-token 250 2000
    fm1_ flyio-access-token 100 900
    fm2_ flyio-access-token 100 900
    fm1r_ flyio-access-token 40 900
    fm1a_ flyio-access-token 40 900
    fo1_ flyio-access-token 40 900
    FlyV1 flyio-access-token 100 900
    sntrys_eyJ sentry-org-token 60 400
    sntryu_ sentry-user-token 64 64
    hvs. vault-service-token 90 400
    hvb. vault-batch-token 138 400
    t1. yandex-access-token 80 300
    AQVN yandex-api-key 35 38
    LTAI alibaba-access-key-id 20 20
    rdme_ readme-api-token 70 70
    AKCp artifactory-api-key 69 69
    cmVmd artifactory-reference-token 59 59
    EAAM facebook-page-access-token 100 400
    EAAC facebook-page-access-token 100 400
    tk-us- scalingo-api-token 48 48
    s-s4t2ud- intra42-client-secret 64 64
    s-s4t2af- intra42-client-secret 64 64
    4b1d clickhouse-cloud-api-secret-key 38 38
    access-sandbox- plaid-api-token 36 36
    access-development- plaid-api-token 36 36
    access-production- plaid-api-token 36 36
    sgp_ sourcegraph-access-token 40 80
    pnu_ prefect-api-token 36 36
    pul- pulumi-api-token 40 40
    rubygems_ rubygems-api-token 48 48
    shippo_live_ shippo-api-token 40 40
    shippo_test_ shippo-api-token 40 40
    duffel_live_ duffel-api-token 43 43
    duffel_test_ duffel-api-token 43 43
    dapi databricks-api-token 32 34
    dp.pt. doppler-api-token 43 43
    sq0atp- square-access-token 22 60
    sq0csp- square-secret 40 60
    xkeysib- sendinblue-api-token 64 90
    ATATT3 atlassian-api-token 180 220
    AGE-SECRET-KEY-1 age-secret-key 58 58
    HRKU- heroku-api-key-v2 50 70
    ico- infracost-api-token 32 32
    p8e- adobe-client-secret 32 32
    sm_pat_ settlemint-personal-access-token 16 16
    sm_aat_ settlemint-application-access-token 16 16
    sm_sat_ settlemint-service-access-token 16 16
    CLOJARS_ clojars-api-token 60 60
    API- octopus-deploy-api-key 26 26
    key- mailgun-private-api-token 32 32
    pubkey- mailgun-pub-key 32 32
    sl. dropbox-short-lived-api-token 135 140
    v1.0- cloudflare-origin-ca-key 146 146
    """

    static let byFirstByte: [[PrefixRule]] = {
        var table = [[PrefixRule]](repeating: [], count: 256)
        for line in prefixSource.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let lo = Int(parts[2]), let hi = Int(parts[3]) else { continue }
            let p = Array(parts[0].utf8)
            table[Int(p[0])].append(PrefixRule(prefix: p, rule: String(parts[1]), minBody: lo, maxBody: hi))
        }
        for k in table.indices { table[k].sort { $0.prefix.count > $1.prefix.count } }
        return table
    }()

    /// Per first byte, the shortest run any prefix rule starting with it can match
    /// (prefix + shortest body); `Int.max` when no rule starts with that byte.
    static let shortestMatchByFirstByte: [Int] = byFirstByte.map { rules in
        rules.map { $0.prefix.count + $0.minBody }.min() ?? Int.max
    }

    /// Provider names found in an assignment's key, mapped to gitleaks' rule for that provider.
    static let providers: [(String, String)] = [
        ("adafruit", "adafruit-api-key"), ("adobe", "adobe-client-secret"), ("airtable", "airtable-api-key"),
        ("algolia", "algolia-api-key"), ("alibaba", "alibaba-secret-key"), ("asana", "asana-client-secret"),
        ("atlassian", "atlassian-api-token"), ("jira", "atlassian-api-token"), ("confluence", "atlassian-api-token"),
        ("beamer", "beamer-api-token"), ("bitbucket", "bitbucket-client-secret"), ("bittrex", "bittrex-secret-key"),
        ("clickhouse", "clickhouse-cloud-api-secret-key"), ("cloudflare", "cloudflare-api-key"), ("codecov", "codecov-access-token"),
        ("cohere", "cohere-api-token"), ("coinbase", "coinbase-access-token"), ("confluent", "confluent-secret-key"),
        ("contentful", "contentful-delivery-api-token"), ("datadog", "datadog-access-token"), ("dnkey", "defined-networking-api-token"),
        ("discord", "discord-client-secret"), ("drone", "droneci-access-token"), ("dropbox", "dropbox-api-token"),
        ("etsy", "etsy-access-token"), ("facebook", "facebook-secret"), ("fastly", "fastly-api-token"),
        ("finicity", "finicity-client-secret"), ("finnhub", "finnhub-access-token"), ("flickr", "flickr-access-token"),
        ("freshbooks", "freshbooks-access-token"), ("gitter", "gitter-access-token"), ("gocardless", "gocardless-api-token"),
        ("heroku", "heroku-api-key"), ("hubspot", "hubspot-api-key"), ("intercom", "intercom-api-key"),
        ("jfrog", "jfrog-api-key"), ("artifactory", "jfrog-api-key"), ("xray", "jfrog-identity-token"),
        ("kraken", "kraken-access-token"), ("kucoin", "kucoin-secret-key"), ("launchdarkly", "launchdarkly-access-token"),
        ("linear", "linear-client-secret"), ("linkedin", "linkedin-client-secret"), ("mailgun", "mailgun-private-api-token"),
        ("mapbox", "mapbox-api-token"), ("mattermost", "mattermost-access-token"), ("maxmind", "maxmind-license-key"),
        ("meraki", "cisco-meraki-api-key"), ("messagebird", "messagebird-api-token"), ("message-bird", "messagebird-api-token"),
        ("netlify", "netlify-access-token"), ("newrelic", "new-relic-user-api-key"), ("new-relic", "new-relic-user-api-key"),
        ("new_relic", "new-relic-user-api-key"), ("nytimes", "nytimes-access-token"), ("okta", "okta-access-token"),
        ("openai", "openai-api-key"), ("plaid", "plaid-secret-key"), ("planetscale", "planetscale-api-token"),
        ("privateai", "privateai-api-token"), ("rapidapi", "rapidapi-access-token"), ("sendbird", "sendbird-access-token"),
        ("sendgrid", "sendgrid-api-token"), ("sentry", "sentry-access-token"), ("shopify", "shopify-shared-secret"),
        ("contribsys", "sidekiq-secret"), ("sidekiq", "sidekiq-secret"), ("snyk", "snyk-api-token"),
        ("squarespace", "squarespace-access-token"), ("sumologic", "sumologic-access-token"), ("telegram", "telegram-bot-api-token"),
        ("travis", "travisci-access-token"), ("trello", "trello-access-token"), ("twilio", "twilio-api-key"),
        ("twitch", "twitch-api-token"), ("twitter", "twitter-api-key"), ("typeform", "typeform-api-token"),
        ("yandex", "yandex-access-token"), ("zendesk", "zendesk-secret-key"), ("github", "github-pat"), ("gitlab", "gitlab-pat"),
        ("aws", "aws-access-token"), ("stripe", "stripe-access-token"), ("huggingface", "huggingface-access-token"),
        ("anthropic", "anthropic-api-key"), ("npm", "npm-access-token"), ("pypi", "pypi-upload-token"), ("grafana", "grafana-api-key"),
        ("vault", "vault-service-token"), ("frameio", "frameio-api-token"), ("dynatrace", "dynatrace-api-token"),
        ("easypost", "easypost-api-token"), ("perplexity", "perplexity-api-key"), ("postman", "postman-api-token"),
        ("readme", "readme-api-token"), ("scalingo", "scalingo-api-token"), ("notion", "notion-api-token"),
        ("1password", "1password-secret-key"), ("doppler", "doppler-api-token"), ("pulumi", "pulumi-api-token"),
        ("prefect", "prefect-api-token"), ("rubygems", "rubygems-api-token"), ("shippo", "shippo-api-token"),
        ("duffel", "duffel-api-token"), ("databricks", "databricks-api-token"), ("digitalocean", "digitalocean-access-token"),
        ("flutterwave", "flutterwave-secret-key"), ("authress", "authress-service-client-access-key"), ("azure", "azure-ad-client-secret"),
        ("mailchimp", "mailchimp-api-key"), ("intra42", "intra42-client-secret"),
        ("lob", "lob-api-key"), ("pinecone", "pinecone-api-key"), ("harness", "harness-api-key"), ("sourcegraph", "sourcegraph-access-token"),
    ].map { ($0.0, $0.1) }

    /// Words in an assignment's key that say its value is a credential.
    static let secretWords: [String] = [
        "secret", "token", "password", "passwd", "pwd", "apikey", "api_key", "api-key", "key", "auth", "credential", "creds", "cred", "pass",
    ]
}
