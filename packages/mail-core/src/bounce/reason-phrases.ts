import type { BounceReason } from './bounce-report.js';

/**
 * What remote servers write for each reason, as patterns over the lower-cased diagnostic (white space
 * collapsed). Learned from real reports and from what each reason means in Sisimai's vocabulary; the
 * tables are ours. ORDER MATTERS: the first matching entry wins, so specific phrases come before the
 * broad words ("rejected", "blocked", "does not exist") that servers add to almost every refusal. A
 * reason may have two entries: its unmistakable phrases early, its vaguer ones late.
 */
export const REASON_PHRASES: readonly (readonly [BounceReason, readonly RegExp[]])[] = [
  // The sender, not the recipient, is refused: "Domain of sender address … does not exist".
  [
    'rejected',
    [
      /(?:domain|address) of sender|sender (?:address |domain )?(?:rejected|refused|denied|verify failed|verification failed|unknown|invalid)/,
      /sender was rejected|(?:invalid|unknown|unverified|bad) sender|batv|null sender is not allowed|return(?:ed)? mail not accepted/,
      /sending to\/from an address that has been blacklisted|not (?:a )?member|members-only list|you are not allowed to post/,
      /only accept(?:s)? mail from|not a registered gateway user|not have permission to post/,
    ],
  ],
  [
    'notcompliantrfc',
    [
      /rfc ?(?:5322|2822|822)|not (?:rfc|standards?)[- ]compliant|duplicate header|multiple addresses in from|multiple (?:from|to|subject|date) headers/,
    ],
  ],
  [
    'authfailure',
    [
      /\bspf\b|sender policy framework|\bdkim\b|\bdmarc\b|authentication information|unauthenticated email|authentication checks failed/,
      /is not authorized to send (?:on behalf|mail from)|authentication check failed/,
    ],
  ],
  [
    'requireptr',
    [
      /reverse dns|reverse (?:lookup|hostname)|\bptr\b|\brdns\b|reverse (?:dns )?record|mismatches client ip/,
      /cannot find your (?:hostname|reverse)|(?:can(?:no|')t|unable to|could not) resolve your|ip name lookup failed/,
      /client host rejected: cannot find|have a hostname|unresolvable address|hostname does not resolve|not resolve to your/,
    ],
  ],
  ['badreputation', [/(?:poor|bad|low) reputation|(?:ip|sender|domain) reputation|user complaints/]],
  [
    'toomanyconn',
    [
      /too many (?:connections|simultaneous|concurrent|sessions)|connection (?:limit|frequency|rate limit)|frequency limited/,
    ],
  ],
  [
    'speeding',
    [/receiving mail at a rate|rate limit|too many (?:messages|mails|emails)|sending too fast|unusual rate/],
  ],
  [
    'exceedlimit',
    [
      /too large for this recipient|exceeds administrative limit|exceeds (?:the )?(?:limit set by|recipient'?s? (?:size )?limit)|exceeded (?:the )?(?:storage )?allocation/,
    ],
  ],
  [
    'systemfull',
    [
      /insufficient (?:system storage|disk space)|(?:system|disk|server|file ?system) (?:is )?full|no space left/,
    ],
  ],
  [
    'mesgtoobig',
    [
      /message (?:is )?too (?:big|large|long)|message (?:size|length) exceeds|exceeds (?:the )?(?:maximum )?(?:message )?size/,
      /size (?:of (?:the )?message )?exceeds|message (?:was )?larger than|too large for (?:the )?(?:system|server)/,
      /message size limit|max(?:imum)? message size|mail size limit|message file too big/,
    ],
  ],
  [
    'mailboxfull',
    [
      /mail ?box (?:is )?(?:full|over ?quota|size limit exceeded|exceeds allowed size)|(?:over|exceeded?) (?:the |his |her |its )?(?:disk |storage |mailbox |mail |account )?quota/,
      /quota (?:exceeded|exceed|full|violation)|insufficient (?:disk )?(?:space|storage) (?:for|in) (?:the )?(?:user|mailbox|recipient)/,
      /(?:account|inbox|mail ?folder|mailbox|box) (?:is )?full|full mail ?box|not enough (?:disk )?space|too much mail|exceeded storage/,
      /user has exhausted allowed storage|recipient'?s? mailbox (?:is )?full|mailbox (?:has )?exceeded|exceeds its storage|storage (?:limit|quota)/,
      /over ?quota|out of (?:mailbox )?space|disk full for user|mailbox not enough space|messages in recipient'?s mailbox exceeded/,
    ],
  ],
  [
    'suspend',
    [
      /(?:account|mailbox|user|address|recipient) (?:has been |is |was )?(?:disabled|suspended|deactivated|inactive|locked|frozen|blocked)\b/,
      /(?:disabled|suspended|inactive|deactivated|inactivated) (?:account|mailbox|user|recipient)|tried to reach is (?:disabled|inactive)/,
      /account (?:is )?(?:not (?:active|enabled)|expired)|due to (?:extended )?inactivity|mailbox is inactive|recipient suspended/,
      /compte du destinataire est bloqu/,
    ],
  ],
  [
    'hasmoved',
    [
      /has been replaced by|address has (?:been )?moved|is no longer (?:valid|in use); (?:please )?(?:use|write)/,
    ],
  ],
  [
    'notaccept',
    [
      /does not accept (?:any )?(?:e-?)?mail|not accepting (?:any )?(?:e-?)?mail|null mx|accepts no mail|no mail is accepted|no mx (?:record )?found|not accepting network messages/,
      /domain (?:does not|doesn't) (?:accept|receive) mail|mail (?:receiving|reception) (?:is )?disabled|couldn't find a mail exchanger/,
    ],
  ],
  [
    'norelaying',
    [
      /relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed)|prohibited)|(?:not|unable to|cannot|can't|won't) relay|no relaying/,
      /relaying (?:mail )?to .* (?:is )?not allowed|not (?:permitted|configured) to relay|in my list of allowed rcpthosts|relay not permitted/,
      /address is not verified/,
    ],
  ],
  // Temporary resolver trouble is the network's fault, not a missing domain.
  [
    'networkerror',
    [
      /dns (?:error|query failed)|temporary (?:dns|lookup) failure|host not found, try again|unexpected name server reply/,
    ],
  ],
  [
    'hostunknown',
    [
      /(?:host|domain)(?: name)? (?:is )?(?:unknown|not found)|unknown (?:host|domain)|no such (?:host|domain)|name or service not known/,
      /domain (?:does not|doesn't) exist|unrouteable mail domain|non-?existent (?:host|domain)|host or domain name not found/,
      /illegal host\/domain|recipient domain must exist|nxdomain|domain (?:must exist|not exist)|domain is not reachable/,
      /mx records point to non-?existent|dns lookup failure|host not found/,
    ],
  ],
  [
    'userunknown',
    [
      /(?:user|recipient|mailbox|address|addressee|account|local part|destination)(?: name)? (?:is )?(?:unknown|not (?:found|known|listed|exist)|does ?n[o']t exist|doesn't exist|unavailable|invalid)/,
      /unknown (?:user|recipient|mailbox|address|local[- ]part|e-?mail)|no such (?:user|mailbox|recipient|address|person|account|local user)/,
      /(?:invalid|bad|non-?existent|illegal|unrecognized) (?:recipient|mailbox|user|address|destination)/,
      /(?:does not|doesn't|did not|not) exist|no mailbox|not a (?:valid|known) (?:user|mailbox|recipient|address)|mailbox not found/,
      /address (?:not found|rejected: user|lookup failed)|unrouteable address|no valid recipient|user unknown|check if (?:the )?address is correct/,
      /sorry, no mailbox here|account that you tried to reach|not our customer|this user doesn't have|no (?:such|valid) (?:account|user)/,
      /mailbox (?:unavailable|is unavailable)|not (?:a )?valid (?:mail ?box|recipient)|(?:user|recipient) (?:not found|rejected)|unknown or illegal alias/,
      /user (?:doesn't|does not) have|(?:destination|recipient) (?:mailbox )?address (?:is )?invalid|mailbox .*(?:not|doesn't) exist/,
      /no such (?:e-?mail|mail ?box)|is not a (?:valid|registered)|the recipient (?:does not|doesn't) exist|no account by that name/,
      /rcpt to:? .*(?:not|unknown|invalid)|invalid mailbox|not listed in|user (?:is )?(?:unknown|invalid|not here)|address couldn't be found/,
    ],
  ],
  ['virusdetected', [/virus|malware|infected|trojan|worm detected/]],
  [
    'spamdetected',
    [
      /\bspam\b|junk mail|unsolicited|\buce\b|bulk mail|looks like spam|content (?:was )?(?:rejected|filtered)|message content rejected/,
      /spam(?:my|y|ish)|scor(?:e|ed) (?:too high|above)|classified as spam|detected as spam|suspicious content|blacklisted url|uribl/,
    ],
  ],
  [
    'policyviolation',
    [
      /polic(?:y|ies)|protocol violation|header error|content presents a potential|prohibited (?:attachment|content|file)/,
      /illegal attachment|attachment (?:type )?(?:not allowed|rejected|blocked)|organizational settings|mass mailer|closed mailing list/,
    ],
  ],
  [
    'failedstarttls',
    [
      /starttls (?:failed|failure|error)|tls (?:handshake|negotiation) (?:failed|failure)|(?:could not|cannot|unable to) (?:start|negotiate) tls/,
    ],
  ],
  [
    'securityerror',
    [
      /authentication (?:required|failed|failure|credentials)|must (?:issue a starttls|authenticate)|(?:tls|encryption) (?:is )?required/,
      /not authenticated|unauthenticated|authenticate first|insecure|authentication is required/,
    ],
  ],
  [
    'filtered',
    [
      /recipient'?s? preferences|user refuses|refused by (?:the )?recipient|rejected by (?:the )?recipient|delivery not authorized/,
    ],
  ],
  [
    'rejected',
    [
      /envelope(?:-| )(?:sender|from)|not (?:on|in) (?:the )?(?:allowed|white) ?list|administrative prohibition|from: domain/,
    ],
  ],
  [
    'blocked',
    [
      /block(?:ed|list)|black ?list|listed (?:at|in|on)|\brbl\b|dnsbl|spamhaus|spamcop|barracuda|client host (?:\[[^\]]*\] )?rejected/,
      /(?:your|the|sending) (?:ip|host|server|network)|connections? (?:not accepted|refused|rejected) from|ip address|banned|denied access/,
      /access denied|not allowed to (?:connect|send)|refused to talk|not accepting connections|service refus/,
    ],
  ],
  ['filtered', [/filter(?:ed)?|restricted|does not (?:receive|want)|rejects? (?:your )?mail/]],
  [
    'expired',
    [
      /retry (?:time(?:out)?|period) (?:exceeded|expired)|(?:message|delivery|envelope)(?: time)? expired|giving up|timeout exceeded|queue (?:for )?too long/,
      /(?:could not|was not|has not been) (?:be )?delivered (?:within|for|after)|in the queue|has been delayed|delivery (?:is )?delayed|timed out|time ?out/,
      /will be retried|not yet been delivered|did not accept our requests to connect|unable to deliver .* (?:for|within) \d/,
    ],
  ],
  [
    'networkerror',
    [
      /network|no route to host|connection (?:refused|reset|closed|timed out)|could not connect|(?:unable|failed) to connect|host (?:is )?(?:not reachable|unreachable|down)/,
      /too many hops|hop count|mail loop|loops back to myself|routing loop|lost connection|establish an smtp connection/,
    ],
  ],
  [
    'mailererror',
    [
      /mailer (?:error|failure)|command (?:died|failed)|program (?:failed|error)|exited with|pipe to|x-unix|procmail|local delivery failed|unable to (?:run|execute)/,
    ],
  ],
  [
    'systemerror',
    [
      /system (?:error|failure)|internal (?:server )?error|server error|configuration error|local error|temporary (?:local )?(?:failure|problem)|unable to contact|service (?:currently )?unavailable/,
    ],
  ],
  [
    'contenterror',
    [
      /media error|content (?:error|rejected)|invalid (?:mime|content|header)|malformed|8-?bit|charset|encoding/,
    ],
  ],
  [
    'syntaxerror',
    [
      /syntax error|command (?:not )?(?:unrecognized|recognized)|unrecognized command|bad sequence|line too long|not implemented/,
    ],
  ],
];
