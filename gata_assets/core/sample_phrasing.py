"""Wording every sample queue shares: names, greetings, small talk, context and sign-offs.

None of it says which queue a ticket belongs to, which is the point: real tickets carry a
lot of text that is no evidence at all (greetings, background, apologies), and some that is
misleading (a mention of another queue's topic, "not a VPN issue this time"). A classifier
that counts words is pulled off course by it; one that reads the ticket is not.
Pools are written "a|b|c": compact to read and to extend. Templates use the shared slots of
`sample_templates.SLOTS`; `{topic}` is another queue's topic.
"""

from __future__ import annotations


def pool(text: str) -> list[str]:
    return text.split("|")


PRODUCTS = pool(
    "Outlook|Teams|Salesforce|SAP|Workday|Jira|Confluence|Slack|Zoom|Okta|SharePoint|OneDrive"
    "|Concur|NetSuite|Tableau|GitHub|ServiceNow|DocuSign|Excel|Zendesk|QuickBooks|Adobe Acrobat"
)
ERRORS = pool(
    "0x80070005|ERR_CONNECTION_RESET|error 403|error 500|error 809|AADSTS50126|E-1042|0x800CCC0E"
    "|Error 1603|550 5.7.1 Relaying denied|timeout (408)|13.B2 paper jam|CERT_EXPIRED|0xC004F074"
)
FIRST = pool("Anna|Ben|Carla|David|Elena|Farid|Grace|Hiro|Ines|Jonas|Kemal|Lena|Marco|Nadia|Omar")
LAST = pool("Schmidt|Okafor|Rossi|Nguyen|Kowalski|Silva|Jensen|Tanaka|Haddad|Brown|Moreau|Patel")
DEVICES = pool(
    "ThinkPad T14|MacBook Pro|Dell Latitude 7440|HP EliteBook 840|Surface Pro 9|iPhone 15"
    "|Pixel 8|Galaxy S23|laptop|phone"
)
OFFICES = pool("Berlin|Austin|London|Singapore|Toronto|Building C|Lisbon|the Munich office")
MONTHS = pool("Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec")
GREETINGS = pool("Hi,|Hello,|Hi team,|Hello IT,|Dear support,|Hi Sam,|Good morning,|||Hey,")
FILLERS = pool(
    "||| This is urgent.| I already restarted my {device}.| It worked fine until {date}."
    "| Not sure if this is the right queue.| Screenshot attached.| My manager is in cc."
    "| I'm working from {office} this week.| Can you help as soon as possible?"
    "| The error says {error}.| Ticket {ref} was closed without a fix."
    "| Same problem as my colleague has."
)
CLOSINGS = pool("Thanks|Thank you!|Thanks in advance,|Best regards|Cheers||Kind regards")
TERSE_CLOSINGS = pool("|||| thx| ?| !!| pls| asap| again")
# Subjects that say nothing: the body alone has to decide.
VAGUE_SUBJECTS = pool(
    "Help|Urgent|Problem|Quick question|Issue|Request|Not working|Please help|Question"
    "|Issue with {product}|Follow-up|Ticket {ref}|FW: {product}|Re: our call"
)
# How most tickets are written, whatever the queue: `{it}` (the affected thing), `{fault}`
# and `{want}` come from the ticket's queue (`sample_words_*`), and only they tell.
COMMON_BODIES = pool(
    "{it} {fault}.|{it} {trouble}.|{it} {fault} since {date}.|{it} {trouble} since {date}."
    "|{it} {fault} again, same as last week.|Quick one: {it} {trouble}."
    "|Since {date}, {it} {trouble}. Can someone look at it?|{it} {fault} and I have a deadline."
    "|Is there a known issue? For me {it} {trouble}.|I need {want}.|Could I get {want}, please?"
    "|I'd like {want}. Right now {it} {trouble}.|Can I have {want} by {date}?"
    "|{it} {fault}. All I need is {want}.|Please help, {it} {trouble}."
    "|{it} {trouble} whenever I'm in {office}.|{person} and I both noticed that {it} {trouble}."
    "|Not sure why, but {it} {fault}."
)
TROUBLES = pool(
    "stopped working|doesn't work|is acting up|keeps failing|gives me an error|won't work"
    "|is not working properly|has a problem|does something weird|fails every time"
    "|is unusable|misbehaves|is playing up again|has been flaky all week"
)
COMMON_SUBJECTS = pool(
    "{it}|Issue with {it}|{it} problem|Help with {it}|Request: {want}|Need {want}|{it} {fault}"
)
# Another queue's topic as context, not as the request.
CONTEXTS = pool(
    "It's not {topic} this time. |This isn't about {topic}, that one is solved. "
    "|I first thought it was {topic}, but no. |{topic} works fine, so it's something else. "
    "|Unrelated to my earlier ticket about {topic}. |Before you ask: {topic} is not the problem. "
    "|Maybe related to {topic}, maybe not. |Your colleague already helped with {topic}, thanks. "
    "|Last week it was {topic}, now this. |Not about {topic}, I'm afraid. "
)
ALSO = pool(
    " Also: | Separate thing: | PS: | One more thing: | Unrelated: | And while I'm at it: "
    "| Less urgent: | Not related, but: "
)
# Another queue's request as history: solved, and not what this ticket is about.
HISTORY = pool(
    "Update on my last ticket: {other} That's sorted now, thanks. New problem: "
    "|Last week I reported this: {other} Fixed, thank you. Today: "
    "|My earlier ticket said: {other} That one is solved. Different issue now: "
    "|(Solved already: {other}) "
    "|Forget my previous mail ({other}), it works again. What I actually need: "
    "|You fixed this for me in March: {other} Now something else: "
)
# Background nobody needs: a minority of tickets ramble on with a few of these.
RAMBLE = pool(
    "Sorry for the long email, it has been a frustrating week."
    "|I tried searching the intranet but didn't find anything useful."
    "|My colleague {person} said something similar happened to her last month."
    "|We have a big client presentation on {date}, so timing matters."
    "|I'm not very technical, so please bear with me."
    "|I already asked in the team chat and nobody knew."
    "|This has happened before and always fixed itself, but not this time."
    "|I'm in {office} until Thursday, then back home."
    "|I restarted twice and also tried from another browser."
    "|Not sure if anyone else has reported this already."
    "|I've attached what I could, let me know if you need anything else."
    "|Please call me if that's easier, I'm at my desk all afternoon."
    "|Honestly I'm not sure who handles this kind of thing."
    "|It's not super urgent, but it is blocking part of my work."
    "|Last time someone from your team sorted it out remotely in five minutes."
    "|I'd appreciate an update either way, even if it takes a while."
    "|My manager {person} asked me to raise a ticket instead of waiting."
    "|We're short-staffed this week, so anything quick would help a lot."
    "|I noticed it on {date} but only now found the time to write."
    "|I followed the steps from the wiki, as far as I understood them."
    "|For what it's worth, nothing changed on my side that I know of."
    "|I'm working late today, so any time before 8 pm is fine."
    "|The whole thing started after the weekend, as far as I can tell."
    "|I can share my screen if that helps you see it."
)
SIGNATURES = (
    "--\n{0}\n{1} | Acme Corp\n+1 555 {2:04d}",
    "Sent from my iPhone",
    "{0}\n{1}\nAcme Corp, www.acme.example\nCONFIDENTIAL: for the addressee only.",
    "Best,\n{0} ({1})\nMobile: +44 7700 9{2:05d}",
)
TITLES = pool("Account Manager|Senior Engineer|Office Manager|Finance Analyst|HR Partner")
QUOTES = pool(
    "Thank you for contacting the service desk. Could you send a screenshot of the error?"
    "|We have escalated this to the second-level team."
    "|Can you confirm whether the issue still occurs after a restart?"
    "|Your request has been received and will be handled within two business days."
)
