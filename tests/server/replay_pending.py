"""Commands the local server does not answer yet (20004 "unknown method" in the replay test).

One per line, with its area; each area's engineer deletes the lines of the commands their
handlers answer (``test_pending_lists_only_unknown_commands`` keeps this list exact).
"""

PENDING = {
    "addblacks",  # blacklist
    "delblacks",  # blacklist
    "getblacks",  # blacklist
    "isblack",  # blacklist
    "isblacks",  # blacklist
    "getgroupcount",  # groups
    "setgroupinfo",  # groups
    "getgroupinfo",  # groups
    "clearprojectgroup",  # groups
    "addroommembers",  # rooms
    "delroommembers",  # rooms
    "setroominfo",  # rooms
    "getroominfo",  # rooms
    "getroommembers",  # rooms
    "getroomcount",  # rooms
    "adduserrooms",  # rooms
    "deleteuserrooms",  # rooms
    "setuserinfo",  # users
    "getuserinfo",  # users
    "getuseropeninfo",  # users
    "addsessions",  # users
    "removesessions",  # users
    "addprojectban",  # admin
    "removeprojectban",  # admin
    "isprojectban",  # admin
    "dataset",  # data
    "dataget",  # data
    "datadel",  # data
    "addoption",  # devices
    "removeoption",  # devices
    "getoption",  # devices
    "translate",  # services
    "profanity",  # services
    "speech2text",  # services
    "tcheck",  # services
    "icheck",  # services
    "acheck",  # services
    "vcheck",  # services
    "inviteUserIntoRTCRoom",  # rtc
    "closeRTCRoom",  # rtc
    "kickoutFromRTCRoom",  # rtc
    "getRTCRoomList",  # rtc
    "getRTCRoomMembers",  # rtc
    "getRTCRoomMemberCount",  # rtc
    "setRTCRoomMicStatus",  # rtc
    "pullIntoRTCRoom",  # rtc
    "adminCommand",  # rtc
    "imserver_setuserinfos",  # imlib
    "imserver_getuserinfos",  # imlib
    "imserver_setgroupinfos",  # imlib
    "imserver_getgroupinfos",  # imlib
    "imserver_creategroup",  # imlib
    "imserver_dismissgroup",  # imlib
    "imserver_addgroupmembers",  # imlib
    "imserver_setapplygrant",  # imlib
    "imserver_getapplygrant",  # imlib
    "imserver_setinvitegrant",  # imlib
    "imserver_getinvitegrant",  # imlib
}

#: Current forms of known commands the server does not accept yet: method -> (code it answers
#: today, what is missing). The replay test expects exactly these failures, so the line goes
#: once its area's engineer implements the form.
PENDING_FORMS = {
    "addgroupban": (10009, "'gid' absent: a ban in all groups (spec current §4.7)"),  # groups
}
