import { Activity } from "@mail/core/web/activity";
import { patch } from "@web/core/utils/patch";

// A collection call activity opens the guided call from the chatter.
patch(Activity.prototype, {
    async onClickStartCall() {
        const thread = this.thread;
        const action = await this.env.services.orm.call("mail.activity", "action_cobranza_start_call", [
            [this.props.activity.id],
        ]);
        await this.env.services.action.doAction(action, {
            onClose: () => this.props.onActivityChanged(thread),
        });
    },
});
