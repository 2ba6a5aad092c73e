"""Secret-detection rules, generated from src/irbook/domain/secret-rules/*.toml by .ci/gen_secret_rules.py.

Do not edit: change the data files and run the script (a test fails when this file drifts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSpec:
    id: str
    regex: str  # Python syntax, compiled with re.ASCII
    secret_group: int  # 0: the first non-empty group, or the whole match
    entropy: float  # minimum Shannon entropy of the secret (0: none)
    keywords: tuple[str, ...]  # lower-case; the rule runs only when one occurs (none: always)
    lowercase: bool  # the regex is matched against the text with ASCII letters lower-cased
    max_len: int  # the longest match (0: unbounded); a keyword lies within it
    allow: tuple[str, ...]  # regexes: a secret that matches one is not a secret
    source: str  # the data file


RULES: tuple[RuleSpec, ...] = (
    RuleSpec(id='age-secret-key', regex='AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}', secret_group=0, entropy=0.0, keywords=('age-secret-key-1',), lowercase=False, max_len=74, allow=(), source='gitleaks.toml'),
    RuleSpec(id='anthropic-admin-api-key', regex='\\b(sk-ant-admin01-[a-zA-Z0-9_\\-]{93}AA)(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=0.0, keywords=('sk-ant-admin01',), lowercase=False, max_len=112, allow=(), source='gitleaks.toml'),
    RuleSpec(id='anthropic-api-key', regex='\\b(sk-ant-api03-[a-zA-Z0-9_\\-]{93}AA)(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=0.0, keywords=('sk-ant-api03',), lowercase=False, max_len=110, allow=(), source='gitleaks.toml'),
    RuleSpec(id='artifactory-api-key', regex='\\bAKCp[A-Za-z0-9]{69}\\b', secret_group=0, entropy=4.5, keywords=('akcp',), lowercase=False, max_len=73, allow=(), source='gitleaks.toml'),
    RuleSpec(id='aws-access-token', regex='\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b', secret_group=0, entropy=3.0, keywords=('a3t', 'akia', 'asia', 'abia', 'acca'), lowercase=False, max_len=20, allow=('.+EXAMPLE$',), source='gitleaks.toml'),
    RuleSpec(id='azure-ad-client-secret', regex='(?:^|[\\\\\'"\\x60\\s>=:(,)])([a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\\\\'"\\x60\\s<),])', secret_group=0, entropy=3.0, keywords=('q~',), lowercase=False, max_len=42, allow=(), source='gitleaks.toml'),
    RuleSpec(id='databricks-api-token', regex='\\b(dapi[a-f0-9]{32}(?:-\\d)?)(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('dapi',), lowercase=False, max_len=40, allow=(), source='gitleaks.toml'),
    RuleSpec(id='digitalocean-pat', regex='\\b(dop_v1_[a-f0-9]{64})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('dop_v1_',), lowercase=False, max_len=73, allow=(), source='gitleaks.toml'),
    RuleSpec(id='doppler-api-token', regex='dp\\.pt\\.(?i:[a-z0-9]{43})', secret_group=0, entropy=2.0, keywords=('dp.pt.',), lowercase=False, max_len=49, allow=(), source='gitleaks.toml'),
    RuleSpec(id='dynatrace-api-token', regex='dt0c01\\.(?i:[a-z0-9]{24}\\.[a-z0-9]{64})', secret_group=0, entropy=4.0, keywords=('dt0c01.',), lowercase=False, max_len=96, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gcp-api-key', regex='\\b(AIza[\\w-]{35})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=4.0, keywords=('aiza',), lowercase=False, max_len=41, allow=('AIzaSyabcdefghijklmnopqrstuvwxyz1234567', 'AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs', 'AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM', 'AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU', 'AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0', 'AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A', 'AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c', 'AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4', 'AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY', 'AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM', 'AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ', 'AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g', 'AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU', 'AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw', 'AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE', 'AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY'), source='gitleaks.toml'),
    RuleSpec(id='github-app-token', regex='(?:ghu|ghs)_[0-9a-zA-Z]{36}', secret_group=0, entropy=3.0, keywords=('ghu_', 'ghs_'), lowercase=False, max_len=40, allow=(), source='gitleaks.toml'),
    RuleSpec(id='github-fine-grained-pat', regex='github_pat_\\w{82}', secret_group=0, entropy=3.0, keywords=('github_pat_',), lowercase=False, max_len=93, allow=(), source='gitleaks.toml'),
    RuleSpec(id='github-oauth', regex='gho_[0-9a-zA-Z]{36}', secret_group=0, entropy=3.0, keywords=('gho_',), lowercase=False, max_len=40, allow=(), source='gitleaks.toml'),
    RuleSpec(id='github-pat', regex='ghp_[0-9a-zA-Z]{36}', secret_group=0, entropy=3.0, keywords=('ghp_',), lowercase=False, max_len=40, allow=(), source='gitleaks.toml'),
    RuleSpec(id='github-refresh-token', regex='ghr_[0-9a-zA-Z]{36}', secret_group=0, entropy=3.0, keywords=('ghr_',), lowercase=False, max_len=40, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gitlab-cicd-job-token', regex='glcbt-[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_-]{20}', secret_group=0, entropy=3.0, keywords=('glcbt-',), lowercase=False, max_len=32, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gitlab-deploy-token', regex='gldt-[0-9a-zA-Z_\\-]{20}', secret_group=0, entropy=3.0, keywords=('gldt-',), lowercase=False, max_len=25, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gitlab-pat', regex='glpat-[\\w-]{20}', secret_group=0, entropy=3.0, keywords=('glpat-',), lowercase=False, max_len=26, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gitlab-pat-routable', regex='\\bglpat-[0-9a-zA-Z_-]{27,300}\\.[0-9a-z]{2}[0-9a-z]{7}\\b', secret_group=0, entropy=4.0, keywords=('glpat-',), lowercase=False, max_len=316, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gitlab-ptt', regex='glptt-[0-9a-f]{40}', secret_group=0, entropy=3.0, keywords=('glptt-',), lowercase=False, max_len=46, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gitlab-rrt', regex='GR1348941[\\w-]{20}', secret_group=0, entropy=3.0, keywords=('gr1348941',), lowercase=False, max_len=29, allow=(), source='gitleaks.toml'),
    RuleSpec(id='gitlab-runner-authentication-token', regex='glrt-[0-9a-zA-Z_\\-]{20}', secret_group=0, entropy=3.0, keywords=('glrt-',), lowercase=False, max_len=25, allow=(), source='gitleaks.toml'),
    RuleSpec(id='grafana-cloud-api-token', regex='(?i)\\b(glc_[A-Za-z0-9+/]{32,400}={0,3})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('glc_',), lowercase=False, max_len=409, allow=(), source='gitleaks.toml'),
    RuleSpec(id='grafana-service-account-token', regex='(?i)\\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('glsa_',), lowercase=False, max_len=48, allow=(), source='gitleaks.toml'),
    RuleSpec(id='hashicorp-tf-api-token', regex='(?i)[a-z0-9]{14}\\.(?-i:atlasv1)\\.[a-z0-9\\-_=]{60,70}', secret_group=0, entropy=3.5, keywords=('atlasv1',), lowercase=False, max_len=93, allow=(), source='gitleaks.toml'),
    RuleSpec(id='heroku-api-key-v2', regex='\\b((HRKU-AA[0-9a-zA-Z_-]{58}))(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=4.0, keywords=('hrku-aa',), lowercase=False, max_len=67, allow=(), source='gitleaks.toml'),
    RuleSpec(id='huggingface-access-token', regex='\\b(hf_(?i:[a-z]{34}))(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=2.0, keywords=('hf_',), lowercase=False, max_len=39, allow=(), source='gitleaks.toml'),
    RuleSpec(id='jwt', regex='\\b(ey[a-zA-Z0-9]{17,}\\.ey[a-zA-Z0-9\\/\\\\_-]{17,}\\.(?:[a-zA-Z0-9\\/\\\\_-]{10,}={0,2})?)(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('ey',), lowercase=False, max_len=0, allow=(), source='gitleaks.toml'),
    RuleSpec(id='linear-api-key', regex='lin_api_(?i:[a-z0-9]{40})', secret_group=0, entropy=2.0, keywords=('lin_api_',), lowercase=False, max_len=48, allow=(), source='gitleaks.toml'),
    RuleSpec(id='microsoft-teams-webhook', regex='https://[a-z0-9]+\\.webhook\\.office\\.com/webhookb2/[a-z0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}@[a-z0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}', secret_group=0, entropy=0.0, keywords=('webhook.office.com', 'webhookb2', 'incomingwebhook'), lowercase=False, max_len=0, allow=(), source='gitleaks.toml'),
    RuleSpec(id='npm-access-token', regex='(?i)\\b(npm_[a-z0-9]{36})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=2.0, keywords=('npm_',), lowercase=False, max_len=42, allow=(), source='gitleaks.toml'),
    RuleSpec(id='openai-api-key', regex='\\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('t3blbkfj',), lowercase=False, max_len=169, allow=(), source='gitleaks.toml'),
    RuleSpec(id='planetscale-password', regex='(?i)\\b(pscale_pw_(?i:[\\w=\\.-]{32,64}))(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('pscale_pw_',), lowercase=False, max_len=76, allow=(), source='gitleaks.toml'),
    RuleSpec(id='postman-api-token', regex='\\b(PMAK-(?i:[a-f0-9]{24}\\-[a-f0-9]{34}))(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.0, keywords=('pmak-',), lowercase=False, max_len=66, allow=(), source='gitleaks.toml'),
    RuleSpec(id='private-key', regex='(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S-]{64,}?KEY(?: BLOCK)?-----', secret_group=0, entropy=0.0, keywords=('-----begin',), lowercase=False, max_len=0, allow=(), source='gitleaks.toml'),
    RuleSpec(id='pulumi-api-token', regex='\\b(pul-[a-f0-9]{40})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=2.0, keywords=('pul-',), lowercase=False, max_len=46, allow=(), source='gitleaks.toml'),
    RuleSpec(id='pypi-upload-token', regex='pypi-AgEIcHlwaS5vcmc[\\w-]{50,1000}', secret_group=0, entropy=3.0, keywords=('pypi-ageichlwas5vcmc',), lowercase=False, max_len=1020, allow=(), source='gitleaks.toml'),
    RuleSpec(id='rubygems-api-token', regex='\\b(rubygems_[a-f0-9]{48})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=2.0, keywords=('rubygems_',), lowercase=False, max_len=59, allow=(), source='gitleaks.toml'),
    RuleSpec(id='sendgrid-api-token', regex='\\b(SG\\.(?i:[a-z0-9=_\\-\\.]{66}))(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=2.0, keywords=('sg.',), lowercase=False, max_len=71, allow=(), source='gitleaks.toml'),
    RuleSpec(id='sentry-user-token', regex='\\b(sntryu_[a-f0-9]{64})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.5, keywords=('sntryu_',), lowercase=False, max_len=73, allow=(), source='gitleaks.toml'),
    RuleSpec(id='shopify-access-token', regex='shpat_[a-fA-F0-9]{32}', secret_group=0, entropy=2.0, keywords=('shpat_',), lowercase=False, max_len=38, allow=(), source='gitleaks.toml'),
    RuleSpec(id='slack-app-token', regex='(?i)xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+', secret_group=0, entropy=2.0, keywords=('xapp',), lowercase=False, max_len=0, allow=(), source='gitleaks.toml'),
    RuleSpec(id='slack-bot-token', regex='xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*', secret_group=0, entropy=3.0, keywords=('xoxb',), lowercase=False, max_len=0, allow=(), source='gitleaks.toml'),
    RuleSpec(id='slack-user-token', regex='xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}', secret_group=0, entropy=2.0, keywords=('xoxp-', 'xoxe-'), lowercase=False, max_len=81, allow=(), source='gitleaks.toml'),
    RuleSpec(id='slack-webhook-url', regex='(?:https?://)?hooks.slack.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}', secret_group=0, entropy=0.0, keywords=('hooks.slack.com',), lowercase=False, max_len=90, allow=(), source='gitleaks.toml'),
    RuleSpec(id='square-access-token', regex='\\b((?:EAAA|sq0atp-)[\\w-]{22,60})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=2.0, keywords=('sq0atp-', 'eaaa'), lowercase=False, max_len=69, allow=(), source='gitleaks.toml'),
    RuleSpec(id='stripe-access-token', regex='\\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=2.0, keywords=('sk_test', 'sk_live', 'sk_prod', 'rk_test', 'rk_live', 'rk_prod'), lowercase=False, max_len=109, allow=(), source='gitleaks.toml'),
    RuleSpec(id='twilio-api-key', regex='SK[0-9a-fA-F]{32}', secret_group=0, entropy=3.0, keywords=('sk',), lowercase=False, max_len=34, allow=(), source='gitleaks.toml'),
    RuleSpec(id='vault-batch-token', regex='\\b(hvb\\.[\\w-]{138,300})(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=4.0, keywords=('hvb.',), lowercase=False, max_len=306, allow=(), source='gitleaks.toml'),
    RuleSpec(id='vault-service-token', regex='\\b((?:hvs\\.[\\w-]{90,120}|s\\.(?i:[a-z0-9]{24})))(?:[\\x60\'"\\s;]|\\\\[nr]|$)', secret_group=0, entropy=3.5, keywords=('hvs.', 's.'), lowercase=False, max_len=126, allow=('s\\.[A-Za-z]{24}',), source='gitleaks.toml'),
    RuleSpec(id='keyword-value', regex='(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_.-]?key|access[_.-]?key|account[_.-]?key|private[_.-]?key|signing[_.-]?key|credentials?)(?:[_.-][\\w.-]{0,30})?["\']?\\s{0,3}(?:=|:|=>|:=)\\s{0,3}["\'`]?((?!\\[redacted)[^\\s"\'`,;<>]{4,})', secret_group=1, entropy=0.0, keywords=('pass', 'pwd', 'secret', 'token', 'key', 'credential'), lowercase=True, max_len=0, allow=('^[A-Za-z][a-z]{0,11}[.,:!?)\\]}…]*$', '^[0-9][0-9:./T+-]*Z?$', '^\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?$', '^\\{\\{.*\\}\\}$', '^(?:~|\\.{1,2})?/[\\w./-]*$'), source='irbook.toml'),
    RuleSpec(id='url-credentials', regex='://[^\\s/:@]{0,100}:((?!\\*\\*\\*@)(?!\\[REDACTED)[^\\s/@]{1,200})@', secret_group=1, entropy=0.0, keywords=('://',), lowercase=False, max_len=305, allow=(), source='irbook.toml'),
    RuleSpec(id='authorization-header', regex='(?:authorization\\s{0,3}[:=]\\s{0,3}["\']?(?:bearer|basic|token|digest)?|bearer)\\s{1,3}((?!\\[redacted)[a-z0-9._~+/-]{8,}=*)', secret_group=1, entropy=0.0, keywords=('authorization', 'bearer'), lowercase=True, max_len=0, allow=(), source='irbook.toml'),
    RuleSpec(id='aws-secret-access-key', regex='aws.{0,30}?(?:secret|private|key).{0,20}?[\\s:="\'>]([a-z0-9/+]{40})(?![a-z0-9/+])', secret_group=1, entropy=0.0, keywords=('aws',), lowercase=True, max_len=101, allow=(), source='irbook.toml'),
    RuleSpec(id='azure-sas-signature', regex='sig=((?!\\[redacted)[a-z0-9%/+=]{16,})', secret_group=1, entropy=0.0, keywords=('sig=',), lowercase=True, max_len=0, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-npm', regex='npm_[A-Za-z0-9]{36,255}', secret_group=0, entropy=0.0, keywords=('npm_',), lowercase=False, max_len=259, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-github', regex='gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_\\w{22,255}', secret_group=0, entropy=0.0, keywords=('gh',), lowercase=False, max_len=266, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-gitlab', regex='glpat-[\\w-]{20,300}', secret_group=0, entropy=0.0, keywords=('glpat-',), lowercase=False, max_len=306, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-pypi', regex='pypi-[A-Za-z0-9_-]{50,1000}', secret_group=0, entropy=0.0, keywords=('pypi-',), lowercase=False, max_len=1005, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-slack', regex='xox[abposre]-[A-Za-z0-9-]{10,300}', secret_group=0, entropy=0.0, keywords=('xox',), lowercase=False, max_len=305, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-stripe', regex='k_live_[A-Za-z0-9]{10,99}', secret_group=0, entropy=0.0, keywords=('k_live_',), lowercase=False, max_len=106, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-gcp', regex='AIza[\\w-]{35}', secret_group=0, entropy=0.0, keywords=('aiza',), lowercase=False, max_len=39, allow=(), source='irbook.toml'),
    RuleSpec(id='token-prefix-aws', regex='(?:AKIA|ASIA)[A-Z0-9]{16}', secret_group=0, entropy=0.0, keywords=('akia', 'asia'), lowercase=False, max_len=20, allow=(), source='irbook.toml'),
    RuleSpec(id='jwt-any', regex='ey[A-Za-z0-9_-]{10,}\\.ey[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*', secret_group=0, entropy=0.0, keywords=('ey',), lowercase=False, max_len=0, allow=(), source='irbook.toml'),
    RuleSpec(id='private-key-block', regex='-----begin[ a-z0-9_-]{0,100}private key(?: block)?-----(?:[\\s\\S]*?-----end[ a-z0-9_-]{0,100}private key(?: block)?-----|[\\s\\S]*)', secret_group=0, entropy=0.0, keywords=('-----begin',), lowercase=True, max_len=0, allow=(), source='irbook.toml'),
)
