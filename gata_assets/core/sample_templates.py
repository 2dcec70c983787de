"""The help-desk vocabulary behind `sample_data`: categories, their share and their templates.

Kept apart from the generator so the wording can grow without touching the sampling code.
The shares mimic a real desk: a handful of queues take most tickets and a tail of rare ones
(legal, privacy, security) gets a few dozen a year, which is exactly the case gata's
low-volume grouping exists for. Templates of neighbouring queues (lockout vs. password
reset, refund vs. invoice) share words on purpose so a classifier has to learn, not match.

Format: one block per category, `name per-mille`, then `S:` subjects and `B:` bodies,
separated by `|`; indented lines continue the previous field. Slots: {product} {error}
{amount} {date} {person} {device} {office} {ref} {invoice}.
"""

from __future__ import annotations

from functools import lru_cache

_SPEC = """
password_reset 153
S: Password reset | Forgot my password | Can't log in to {product} | Reset my password please
  | Password expired | Need a new {product} password | pw reset
B: I forgot my password for {product} and the reset link gives {error}.
  | My {product} password expired this morning and the self-service reset page rejects the new one.
  | Could you reset my password? I changed it on {date} and now {product} says it is wrong.
  | The password reset email never arrives, I tried three times since {date}.
  | I'm on a new {device} and can't remember my {product} password, please send a reset link.
  | After the forced password change {product} keeps rejecting my login with {error}.

account_lockout 118
S: Account locked | Locked out of {product} | My account is locked again | Account disabled?
  | Too many login attempts | Can't access my account
B: My account got locked after too many attempts, {product} now shows {error}.
  | I'm locked out of {product} since {date}, can you unlock my account?
  | It says my account is disabled. I did not change my password, please unlock it.
  | I keep getting locked out every morning, probably an old session on my {device}.
  | {person} from my team is locked out of {product} and is waiting on a customer call.
  | Account lockout again after the password change, {error} on every login.

vpn_access 94
S: VPN not connecting | VPN access request | GlobalProtect error {error}
  | Cannot reach internal sites from home | VPN drops every few minutes | Need remote access
B: The VPN client fails with {error} when I connect from home.
  | I need VPN access to work remotely from {office}, my manager {person} approved it.
  | GlobalProtect connects but internal pages like {product} time out.
  | Since {date} the VPN disconnects every ten minutes on my {device}.
  | AnyConnect says my certificate is not valid, error {error}.
  | Can you add me to the VPN group? I'm travelling next week and need access to {product}.

email_delivery 80
S: Emails not arriving | Bounce back from {product} | Email stuck in outbox
  | Customer not receiving my emails | Mail delivery failed | Outlook not sending
B: My emails to customers bounce with {error}.
  | Since {date} I don't receive any external email in Outlook.
  | Messages stay in the outbox and never get sent, I tried restarting.
  | A customer says my invoice emails land in spam, can you check?
  | Got a "Mail delivery failed" reply for every message to {person}.
  | Outlook on my {device} says {error} when sending, receiving works.

laptop_hardware 68
S: Laptop won't turn on | Broken screen | {device} battery problem | Keyboard not working
  | Laptop overheating | Need a replacement charger
B: My {device} does not turn on anymore, the power light blinks orange.
  | The screen of my {device} cracked, can I get it repaired or replaced?
  | Battery drains from full to empty in an hour on my {device}.
  | Several keys on the keyboard stopped working after {date}.
  | The laptop gets very hot and the fan is loud, then it shuts down with {error}.
  | I lost my charger in {office}, I need a replacement for a {device}.

software_license 60
S: License expired | Need a {product} license | License key not accepted
  | Request for software license | {product} says unlicensed | Seat for new team member
B: {product} says my license expired on {date}.
  | Could you assign me a {product} license? My manager {person} approved the cost.
  | The license key I got is rejected with {error}.
  | We need two more {product} seats for the new team members.
  | {product} switched to read-only mode, it says there is no valid license.
  | Please move the license from {person} (left the company) to me.

printer_issue 54
S: Printer not working | Paper jam on 3rd floor printer | Can't print | Printer offline
  | Scanning to email broken | Printer in {office}
B: The printer on our floor in {office} shows {error} and won't print.
  | My print jobs disappear from the queue and nothing comes out.
  | The printer says offline on my {device} but works for others.
  | Paper jam that I can't clear, the display keeps saying jammed.
  | Scan to email stopped working since {date}.
  | I need the printer driver installed, printing from {product} gives {error}.

billing_refund 48
S: Refund request | Charged twice | Please refund {amount} | Wrong amount billed
  | Cancel and refund | Refund not received
B: I was charged {amount} twice on {date}, please refund the duplicate.
  | We cancelled our {product} subscription but were still billed {amount}.
  | The refund of {amount} you promised on {date} has not arrived yet.
  | Invoice {invoice} charged {amount} instead of the agreed price, please refund the difference.
  | Please refund {amount} for the unused seats, reference {ref}.
  | My card was charged {amount} for a plan we never ordered.

invoice_copy 43
S: Invoice copy | Need a copy of invoice {invoice} | Missing invoice | Invoice for {date}
  | Please resend invoice | VAT invoice request
B: Could you send me a copy of invoice {invoice}? Our accounting needs it.
  | I can't find the invoice for {date} in the portal.
  | Please resend the invoice for {amount} to our accounts payable address.
  | We need a VAT-compliant invoice with our company address for order {ref}.
  | Can you reissue invoice {invoice} with the correct PO number {ref}?
  | Where can I download past invoices? I need the ones since {date}.

new_employee_onboarding 38
S: New starter on {date} | Onboarding for {person} | New hire setup | Accounts for new employee
  | Laptop and access for new joiner | Starting Monday: {person}
B: {person} starts on {date} in {office}, please set up a laptop and accounts.
  | We have a new hire joining on {date}, she needs email, {product} and a {device}.
  | Please create accounts for our new developer {person}, start date {date}.
  | New employee next week, can you prepare a {device} and a badge?
  | Onboarding request for {person}: access to {product} and the shared drive.
  | {person} joined today but has no login yet, can you help urgently?

software_install 34
S: Install {product} | Software installation request | Need admin rights to install
  | {product} install fails | Please install software | Update {product}
B: Could you install {product} on my {device}?
  | The installer for {product} fails with {error}.
  | I need admin rights to install a tool for a project, or can IT install it?
  | Please update {product} to the latest version, the old one crashes.
  | Software Center shows {product} but the installation stays at 0%.
  | We need {product} installed for the whole team by {date}.

mfa_setup 31
S: MFA setup | New phone, lost authenticator | 2FA codes not working | Authenticator app reset
  | Can't approve sign-in | MFA prompt loop
B: I got a new phone and my authenticator app no longer has the {product} account.
  | The 2FA codes are always rejected with {error}.
  | Please reset my MFA so I can register my new {device}.
  | I don't get push notifications to approve the sign-in anymore.
  | {product} keeps asking me to set up MFA every time I log in.
  | I lost my phone on {date}, how do I log in without the authenticator?

shared_drive_access 28
S: Access to shared drive | Permission denied on folder | Need access to {product} folder
  | Shared drive missing | Request folder access | Can't open team files
B: I need access to the Finance shared drive, my manager {person} approved.
  | I get "access denied" when opening the team folder in {product}.
  | The shared drive disappeared from my {device} after the update.
  | Please give {person} read access to our project folder.
  | I can see the folder but can't edit files, error {error}.
  | Since {date} the S: drive mapping is gone.

wifi_connectivity 25
S: Wifi not working | No internet in {office} | Wireless keeps dropping | Guest wifi password
  | Slow network | Can't connect to corporate wifi
B: The wifi on the 2nd floor in {office} keeps dropping since {date}.
  | My {device} can't connect to the corporate wifi, it says {error}.
  | Internet is extremely slow in the meeting rooms today.
  | What's the guest wifi password for visitors coming on {date}?
  | The wired connection works but wireless fails with {error}.
  | Nobody in {office} has internet right now.

mobile_device 23
S: Company phone | New mobile phone request | {device} email not syncing | Phone broken
  | Mobile setup | Replace cracked phone
B: My company {device} stopped syncing email since {date}.
  | Can I get a new mobile phone? The screen of mine is cracked.
  | How do I set up {product} on my {device}?
  | The phone won't enroll in device management, error {error}.
  | I need a company phone for on-call duty starting {date}.
  | My {device} was stolen, please wipe it.

expense_report 21
S: Expense report | Expense claim rejected | Reimbursement for travel | {product} expense question
  | Receipts upload | Missing reimbursement
B: My expense report for {amount} was rejected without a reason.
  | How do I submit travel expenses from {date} in {product}?
  | I was reimbursed {amount} but the claim was higher.
  | The receipt upload in {product} fails with {error}.
  | My manager {person} approved the expense claim but it's still pending.
  | Can I expense a home office chair for {amount}?

payroll_question 19
S: Payroll question | Salary not received | Wrong amount on payslip | Payslip for {date}
  | Overtime not paid | Bank details change
B: My salary for {date} has not arrived on my account.
  | The payslip shows {amount} less than expected.
  | Overtime from last month was not paid, reference {ref}.
  | I need to change the bank account for my salary payments.
  | Where do I find my payslips in {product}?
  | There's a deduction of {amount} on my payslip that I don't understand.

meeting_room_av 17
S: Meeting room screen | Projector not working | Conference call audio | Room display broken
  | Zoom room issue | Camera in boardroom
B: The screen in the meeting room in {office} won't show my laptop.
  | Audio in the conference room echoes during {product} calls.
  | The room camera is not detected by {product}.
  | We have a board meeting on {date}, please check the projector beforehand.
  | The room booking display shows {error}.
  | The HDMI adapter is missing from the big meeting room again.

badge_access 11
S: Badge not working | Door access | Lost my badge | Access card for {office}
  | Need building access | Badge deactivated
B: My badge stopped opening the doors in {office} since {date}.
  | I lost my access badge, please deactivate it and issue a new one.
  | I need access to the server room for a project with {person}.
  | The badge reader at the garage entrance says {error}.
  | My new badge works for the main door but not for our floor in {office}.
  | Visitor badges for guests on {date}, can you arrange them?

security_incident 9
S: Suspicious email | Phishing? | Possible security incident | I clicked a link
  | Malware warning | Account compromised
B: I got an email asking for my {product} password, it looks like phishing.
  | I clicked a link in a suspicious email on {date} and entered my credentials.
  | The antivirus popped up {error} and quarantined a file.
  | Someone logged into my account from another country.
  | A vendor invoice {invoice} came from a look-alike domain, please check.
  | My {device} shows a ransom message, I unplugged it.

office_relocation 8
S: Office move | Desk move to {office} | Relocation of team | Moving desks on {date}
  | New office setup | IT for office move
B: Our team moves to {office} on {date}, please plan the IT setup.
  | I'm moving desks to {office}, can someone move my docking station and phone?
  | We are relocating 12 people to the new floor and need network ports.
  | Please move the printer along with our team to {office}.
  | The new office in {office} needs wifi and a meeting room screen.
  | After the move my desk phone extension does not work.

tax_form 7
S: Tax form request | W-2 copy | Need my tax certificate | 1099 form | Tax document for {date}
  | Wrong tax ID on form
B: I need a copy of my W-2 for last year.
  | Could you send the 1099 for our contract, reference {ref}?
  | My annual tax certificate shows the wrong address.
  | Where can I download tax documents in {product}?
  | The tax form lists income of {amount}, which is wrong.
  | Our vendor needs a W-9 from us by {date}.

gdpr_data_request 6
S: GDPR request | Data deletion request | Subject access request | Personal data export
  | Right to be forgotten | Privacy request
B: Under GDPR I request a copy of all personal data you hold about me.
  | Please delete my personal data, reference {ref}.
  | A customer, {person}, asked for all data we store about them by {date}.
  | I want to exercise my right to be forgotten.
  | Please confirm which systems like {product} store my data.
  | We received a data subject access request from a former employee.

legal_hold 5
S: Legal hold | Preserve mailbox | Litigation hold request | Do not delete data for {person}
  | Hold on email records | Legal asked to preserve files
B: Legal asked us to place a hold on the mailbox of {person}.
  | Please preserve all emails and files of the sales team from {date}.
  | Litigation hold request, matter {ref}: do not delete any records.
  | Don't wipe the laptop of {person}, legal needs it preserved.
  | Please suspend retention deletion in {product} for the audit.
  | Our counsel requires all chat messages since {date} to be preserved.
"""


@lru_cache(maxsize=1)
def categories() -> tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...]:
    """(name, share per mille, subject templates, body templates) per category, in rank order."""
    parsed = []
    for block in _SPEC.strip().split("\n\n"):
        head, *lines = block.splitlines()
        name, share = head.split()
        fields: dict[str, list[str]] = {"S": [], "B": []}
        key = "S"
        for line in lines:
            if line[:2] in ("S:", "B:"):
                key, line = line[0], line[2:]
            fields[key].append(line.strip())
        subjects, bodies = (tuple(p.strip() for p in " ".join(fields[k]).split("|")) for k in "SB")
        parsed.append((name, float(share), subjects, bodies))
    return tuple(parsed)
