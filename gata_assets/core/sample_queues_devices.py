"""Sample wording of the device and software queues: mail, laptops, phones, printers, rooms.

Screens crack on laptops, phones and meeting-room displays alike, and a licence request reads
much like an install request: the affected thing decides the queue, and it is named in many
ways (brands, models, plain words), most of them rare. Format: see `sample_templates`.
"""

SPEC = """
email_delivery 80
N: vpn_access mobile_device password_reset
T: my email | Outlook | the mailbox | my mail
S: Emails not arriving | Bounce back from {product} | Email stuck in outbox
  | Customer not receiving my emails | Mail delivery failed | Outlook not sending | Mail problem
B: My {mail}s to customers bounce with {error}.
  | Since {date} I don't receive any external {mail}s in {client}.
  | Messages stay in the outbox and never get sent, I tried restarting.
  | A customer says my invoice {mail}s land in spam, can you check?
  | Got a "delivery failed" reply for every message to {person}.
  | {client} on my {device} says {error} when sending, receiving works.
  | My mailbox is full and {client} won't send anything.
  | {mail}s from our supplier disappear, they say they sent them on {date}.
  | The shared mailbox stopped getting new {mail}s since {date}.
Q: email not sending | outlook stuck | mails bouncing | no emails since {date} | mailbox full
@mail: email | mail | message | e-mail | newsletter | calendar invite | attachment
@client: Outlook | the Mail app | Gmail | Thunderbird | the webmail | OWA | Apple Mail

laptop_hardware 68
N: mobile_device printer_issue software_install
T: my laptop | the laptop | my keyboard | the docking station
S: Laptop won't turn on | Broken screen | {device} battery problem | Keyboard not working
  | Laptop overheating | Need a replacement charger | Hardware problem | Broken laptop
B: My {laptop} does not turn on anymore, the power light blinks orange.
  | The {part} of my {laptop} {broke}, can I get it repaired or replaced?
  | Battery drains from full to empty in an hour on my {laptop}.
  | Several keys on the keyboard {broke} after {date}.
  | The {laptop} gets very hot and the fan is loud, then it shuts down with {error}.
  | I lost my charger in {office}, I need a replacement for my {laptop}.
  | The {part} on my {laptop} {broke} after I dropped my bag.
  | My {laptop} freezes with a blue screen a few times a day.
  | Coffee went over the keyboard of my {laptop}, it still boots but keys stick.
Q: laptop dead | screen cracked | {part} broken | battery dying | laptop won't boot
@laptop: laptop | work laptop | ThinkPad | MacBook | notebook | Dell | EliteBook | Latitude
  | Surface | computer | machine | Chromebook
@part: screen | keyboard | battery | charger | trackpad | hinge | USB-C port | webcam | fan
  | docking station | power button | speaker | SSD
@broke: stopped working | broke | is broken | cracked | died | is flickering | is loose
  | came off | is dead

mobile_device 23
N: laptop_hardware email_delivery mfa_setup
T: my phone | the company phone | my mobile
S: Company phone | New mobile phone request | Phone not syncing | Phone broken | Mobile setup
  | Replace cracked phone
B: My company {phone} stopped syncing email since {date}.
  | Can I get a new {phone}? The screen of mine is cracked.
  | How do I set up {product} on my {phone}?
  | The {phone} won't enroll in device management, error {error}.
  | I need a company {phone} for on-call duty starting {date}.
  | My {phone} was stolen, please wipe it.
  | The battery of my {phone} is swollen and it gets hot.
  | My {phone} says the SIM is not provisioned since {date}.
Q: phone broken | new phone pls | {phone} not syncing | sim not working | phone stolen
@phone: phone | mobile | iPhone | work phone | Android | smartphone | Pixel | Galaxy
  | handset | cell | mobile phone

printer_issue 54
N: laptop_hardware meeting_room_av software_install
T: the printer | printing | the copier
S: Printer not working | Paper jam on 3rd floor printer | Can't print | Printer offline
  | Scanning to email broken | Printer in {office} | Printing problem
B: The {printer} on our floor in {office} shows {error} and won't print.
  | My print jobs disappear from the queue and nothing comes out.
  | The {printer} says offline on my {device} but works for others.
  | Paper jam that I can't clear, the display keeps saying jammed.
  | Scan to email on the {printer} stopped working since {date}.
  | I need the {printer} driver installed, printing from {product} gives {error}.
  | The {printer} prints blank pages and streaks since {date}.
  | Toner is empty on the {printer} near {person}'s desk.
  | Everything I print comes out in black and white even when I choose colour.
Q: printer jammed | cant print | printer offline again | no toner | {printer} broken
@printer: printer | copier | HP LaserJet | multifunction printer | Ricoh | plotter | Canon
  | Xerox | Kyocera | label printer | MFP

meeting_room_av 17
N: laptop_hardware wifi_connectivity printer_issue
T: the meeting room | the projector | the room screen
S: Meeting room screen | Projector not working | Conference call audio | Room display broken
  | {product} room issue | Camera in boardroom
B: The screen in the {room} in {office} won't show my laptop.
  | Audio in the {room} echoes during calls in {product}.
  | The camera in the {room} is not detected by {product}.
  | We have a board meeting on {date}, please check the projector in the {room} beforehand.
  | The booking display outside the {room} shows {error}.
  | The HDMI adapter is missing from the {room} again.
  | Remote people can't hear us in the {room}, the microphone seems dead.
Q: projector broken | no hdmi in {room} | room screen black | mic dead in {room}
@room: meeting room | boardroom | conference room | big meeting room | huddle room
  | training room | room 3.14

software_license 60
N: software_install shared_drive_access billing_refund
T: the license | licensing | my subscription
S: License expired | Need a {product} license | License key not accepted
  | Request for software license | {product} says unlicensed | Seat for new team member
B: {product} says my {lic} expired on {date}.
  | Could you assign me a {product} {lic}? My manager {person} approved the cost.
  | The {lic} key I got is rejected with {error}.
  | We need two more {product} {lic}s for the new team members.
  | {product} switched to read-only mode, it says there is no valid {lic}.
  | Please move the {lic} from {person} (left the company) to me.
  | {product} is installed fine but it won't activate, "no {lic} found".
  | Our {product} {lic}s run out on {date}, who renews them?
Q: license expired | need {product} license | unlicensed product | license key rejected
@lic: license | seat | subscription | licence | entitlement | user license

software_install 34
N: software_license laptop_hardware printer_issue
T: the installation | installing software | the update
S: Install {product} | Software installation request | Need admin rights to install
  | {product} install fails | Please install software | Update {product}
B: Could you {install} {product} on my {device}?
  | The installer for {product} fails with {error}.
  | I need admin rights to {install} a tool for a project, or can IT do it?
  | Please update {product} to the latest version, the old one crashes.
  | Software Center shows {product} but the installation stays at 0%.
  | We need {product} installed for the whole team by {date}.
  | The license is already paid, I just need someone to {install} {product} for me.
  | The {product} update broke my plugins, can you roll it back?
Q: install {product} pls | installer fails | need admin rights | update {product}
@install: install | set up | deploy | push | roll out

office_relocation 8
N: new_employee_onboarding badge_access
T: the office move | our relocation | the desk move
S: Office move | Desk move to {office} | Relocation of team | Moving desks on {date}
  | New office setup | IT for office move
B: Our team {moves} to {office} on {date}, please plan the IT setup.
  | I'm {moving} desks to {office}, can someone move my docking station and phone?
  | We are relocating 12 people to the new floor and need network ports.
  | Please move the printer along with our team to {office}.
  | The new office in {office} needs wifi and a meeting room screen.
  | After the move my desk phone extension does not work.
Q: office move {date} | desk move | moving to {office}, need setup
@moves: moves | relocates | is moving | transfers
@moving: moving | relocating | switching
"""
