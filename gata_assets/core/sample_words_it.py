"""What the busy IT queues' tickets are about, for the phrasings every queue shares.

Most tickets on a real desk are not written from a queue's stock phrases but as "my X does Y,
I need Z", and only X, Y or Z says where the ticket goes. These pools hold those X (`@it`, the
affected thing), Y (`@fault`) and Z (`@want`) per queue, most common first and with a long
tail of brands, models and plain words: a model that knows a Kyocera is a printer routes it
right the first time, a word counter only once it has seen one. The business queues' words
are in `sample_words_business`; the specialist tail has none, as its requests are worded
precisely. Format: see `sample_templates`.
"""

SPEC = """
password_reset
@it: my password | my login password | my Windows password | my passphrase | my PIN
  | my network password | my domain password | my sign-in details | my SAP password
  | my Workday login | my Okta password | my email password | my BitLocker PIN | my Citrix password
  | my intranet password | my Mac login | my keychain password | my LDAP password
@fault: has expired | is no longer accepted | slipped my mind | won't update | needs changing
  | was forgotten over the holidays | doesn't meet the new rules | was changed by mistake
@want: a password reset | a new password | a temporary password | a reset link
  | help changing my password | the reset email again | a fresh passphrase | a new PIN

account_lockout
@it: my account | my user account | my login | my Windows account | my profile | my AD account
  | my domain account | my network account | my AD user | my employee account | my SSO account
  | my Azure AD account | my directory account
@fault: is locked | got locked | is blocked | says too many attempts | is disabled | is suspended
  | was frozen overnight | keeps locking itself | won't let me in after three tries
@want: my account unlocked | the lockout cleared | my account unblocked | my account re-enabled
  | the lock lifted | my user reactivated

mfa_setup
@it: the authenticator | my authenticator app | MFA | two-factor | the verification code
  | the push notification | the sign-in approval | Okta Verify | Duo | my security key
  | the 6-digit code | the SMS code | the YubiKey | the number-matching prompt
  | Google Authenticator | the OTP | the hardware token | the FIDO key | Authy | passkey
@fault: is rejected | stopped working after I changed phones | keeps asking me to register
  | loops forever | isn't recognised | times out | won't accept my code | needs setting up again
@want: an MFA reset | my authenticator re-registered | a new MFA enrolment | a bypass code
  | my second factor reset | a temporary access pass | a new security key

vpn_access
@it: the VPN | GlobalProtect | AnyConnect | the VPN client | remote access | FortiClient | Zscaler
  | the tunnel | the remote connection | the VPN gateway | Pulse Secure | WireGuard | Citrix Gateway
  | the home-office connection | OpenVPN | Tunnelblick | the split tunnel | Always On VPN
  | the jump host | the remote desktop gateway | Cisco Secure Client | NordLayer
@fault: drops every few minutes | disconnects during calls | says my certificate is invalid
  | connects but nothing loads | spins forever | stopped working from home | won't connect
@want: VPN access | remote access | a VPN account | access from home | the VPN profile
  | access to internal sites from home | a VPN token | a remote desktop login

wifi_connectivity
@it: the wifi | the wireless | the Wi-Fi | the guest network | the corporate wifi | the WLAN
  | the wireless network | the access point | the office network | the signal on our floor
  | the hotspot | the SSID | the router | the mesh network | the 5 GHz band | eduroam
  | the network in the canteen | the wireless in the lobby | Acme-Guest
@fault: keeps dropping | has no signal | doesn't give me an address | shows no internet
  | cuts out every few minutes | is down | is crawling | won't connect
@want: the guest wifi password | wifi for visitors | a better wireless signal | a wifi login
  | access to the corporate wifi | an extra access point | the wireless fixed

shared_drive_access
@it: the shared drive | the team folder | the Finance share | the S: drive | our project folder
  | the department share | the SharePoint site | the network share | the HR folder | the G: drive
  | the Teams channel | the shared folder | the archive share | the file server
  | the DFS share | the Box folder | the Dropbox team space | the NAS | the mapped drive
@fault: says access denied | has disappeared | opens read-only | won't let me save
  | asks for permission | lost its mapping | shows an empty folder | is locked for editing
@want: access to the shared drive | write access to the team folder | a new shared folder
  | read access to the Finance share | permissions on our project folder | edit rights
  | the S: drive mapped again | membership of the folder's group

email_delivery
@it: my email | my outgoing mail | my email to a customer | external mail | my reply
  | the mail from our supplier | my calendar invite | the newsletter | my attachment
  | the invoice email | the auto-reply | the mail merge | my message to the client
  | the notification email | the meeting invitation | the weekly report email | the quote I sent
@fault: bounces back | never arrives | is stuck in the outbox | lands in spam | won't send
  | says delivery failed | disappears | comes back undeliverable | arrives days late
@want: my mailbox enlarged | the bounce fixed | a new distribution list | my emails delivered
  | the spam filter checked | the outbox cleared | a mail forward | an out-of-office rule

laptop_hardware
@it: my laptop | my ThinkPad | my MacBook | the keyboard | the screen of my laptop | the battery
  | the charger | my notebook | the trackpad | the hinge | the docking station | the webcam
  | the fan | the USB-C port | my Dell | the power button | the SSD | my Chromebook | my XPS
  | my EliteBook | my ZenBook | my IdeaPad | the touchpad | the power brick | the palm rest
  | my ProBook | my Latitude | the hard drive | the laptop stand | the HDMI port
@fault: is broken | is damaged | died | is faulty | is loose | makes a strange noise
  | gets very hot | is dead | keeps cutting out | gave up after I dropped my bag
@want: a replacement laptop | a new charger | a repair | a new keyboard | a spare battery
  | a loaner laptop | a new docking station | more RAM | a new power adapter

mobile_device
@it: my phone | my company phone | my iPhone | the work phone | my Android | my mobile
  | the handset | my smartphone | my Pixel | my Galaxy | my cell | my Xperia | my OnePlus
  | my Moto | the iPad | my tablet | my Nokia | the on-call phone | my Fairphone
@fault: stopped syncing | won't enroll | was stolen | has a swollen battery | says no SIM
  | won't charge | is cracked | lost signal | keeps rebooting | fell in the water
@want: a new phone | a company phone | a replacement SIM | my phone wiped | a new handset
  | a phone for on-call | my phone enrolled | a new eSIM | a phone case

printer_issue
@it: the printer | the copier | the printer on our floor | the HP LaserJet | the Ricoh | the MFP
  | the multifunction printer | the plotter | the scanner | the Kyocera | the label printer
  | the Xerox | the Brother | the Canon | the Epson | the Konica | the bizhub | the Lexmark
  | the OfficeJet | the imageRUNNER | the Zebra | the colour printer | the big printer
@fault: is jammed | shows offline | prints blank pages | prints streaks | is out of toner
  | won't scan to email | eats the paper | keeps jamming | only prints in black and white
  | has a fuser error | needs a new drum unit | says the paper tray is empty
@want: the printer driver | toner for the printer | the jam cleared | scan to email set up
  | a printer for our floor | access to the colour printer | a new cartridge | more paper

meeting_room_av
@it: the projector | the meeting room screen | the boardroom camera | the room display
  | the conference room audio | the HDMI adapter | the speakerphone | the huddle room TV
  | the room microphone | the booking panel | the video bar | the ceiling speaker
  | the Poly camera | the Logitech Rally | the Crestron panel | the ClickShare | the Owl
  | the Surface Hub | the whiteboard display | the Jabra speaker | the room PC | the Neat Bar
@fault: is not detected | shows no signal | is missing again | cuts out | won't turn on
  | keeps disconnecting | won't pair | is dead | doesn't respond
@want: the projector checked before our meeting | a room camera | a working HDMI cable
  | AV support for our event | the room display fixed | a spare clicker | a portable speaker

software_license
@it: my license | my subscription | the license key | my seat | the licence | my activation
  | the entitlement | the product key | our team license | the annual subscription
  | my user license | the CAL | the floating license | the trial | the serial number
  | the Creative Cloud plan | the E3 plan | the named-user seat | the license server
@fault: has expired | is rejected | isn't assigned to me | ran out | says unlicensed
  | went read-only | isn't valid | needs renewing | was removed
@want: a license | two more seats | a license transfer | the license renewed | a product key
  | a subscription for the new hire | a seat for my colleague | a Pro upgrade | a trial extension

software_install
@it: the installer | the installation | the update | the setup wizard | Software Center
  | the new version | the package | the plugin | the install | the upgrade | the driver package
  | the app store install | the MSI | the dmg | Company Portal | the Intune deployment
  | the browser extension | the add-in | the patch | Homebrew | the Python install
@fault: fails | stays at 0% | asks for admin rights | crashes halfway | rolls back
  | gives an error | hangs | is blocked | won't start
@want: an installation | admin rights | the software installed | the latest version
  | the tool installed for my team | an update | the app set up on my laptop | a downgrade
"""
