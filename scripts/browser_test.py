#!/usr/bin/env python3
"""Browser tests: real headless Chromium drives a running `kefu serve --demo`.

Signs in as the demo owner, checks the shell, invites an agent who signs up through the one-time link, changes the
agent's role, signs out, and checks that a wrong password shows an error and leaves an audit entry. Saves
screenshots of the real pages. Prints `N passed, M failed` and exits non-zero on any failure.
"""
import argparse
import datetime
import os
import time
import tempfile
import secrets
import sys
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--screenshots", default="docs/screenshots")
    p.add_argument("--mail-dir", required=True, help="where the test SMTP server (scripts/mail_sink.py) stores mail")
    return p.parse_args()


def make_driver():
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    if os.path.exists("/usr/bin/chromium"):
        options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(1280, 800)
    return driver


class Story:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.driver = make_driver()
        # A wait re-reads the page: an element replaced while it looked (a re-render, a form post) is looked up again.
        self.wait = WebDriverWait(self.driver, 15, ignored_exceptions=[StaleElementReferenceException])
        self.agent_email = f"agent-{secrets.token_hex(4)}@example.com"
        self.agent_password = "agent-password-" + secrets.token_hex(4)
        self.invite_link = None
        self.article_title = "周末售后值班安排 " + secrets.token_hex(2)
        self.new_phrase = "退的东西运费谁出啊 " + secrets.token_hex(2)
        os.makedirs(args.screenshots, exist_ok=True)

    def go(self, path):
        self.driver.get(self.base + path)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.args.screenshots, name))

    def wait_gone(self, element):
        """Until `element`'s page has been replaced. Chrome answers a node of a page being torn down either as stale
        or, for a moment, with an inspector error: both mean it is gone."""
        def gone(_):
            try:
                element.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return True
                raise
        self.wait.until(gone)

    def sign_in(self, email, password):
        self.go("/login")
        self.wait.until(EC.presence_of_element_located((By.ID, "login-form")))
        self.driver.find_element(By.ID, "email").clear()
        self.driver.find_element(By.ID, "email").send_keys(email)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.driver.find_element(By.ID, "sign-in").click()

    def sign_out(self):
        self.wait.until(EC.element_to_be_clickable((By.ID, "sign-out"))).click()
        self.wait.until(EC.url_contains("/login"))

    # The steps, in order.

    def wrong_password_shows_an_error(self):
        self.go("/login")
        self.wait.until(EC.presence_of_element_located((By.ID, "login-form")))
        self.shot("login.png")
        self.sign_in(self.args.email, "definitely-not-the-password")
        error = self.wait.until(EC.visibility_of_element_located((By.ID, "login-error")))
        assert error.text.strip(), "the error message is empty"
        assert "/login" in self.driver.current_url, self.driver.current_url

    def owner_signs_in_and_sees_the_shell(self):
        self.sign_in(self.args.email, self.args.password)
        self.wait.until(EC.url_contains("/app"))
        self.wait.until(EC.presence_of_element_located((By.ID, "main-nav")))
        for link in ["nav-conversations", "nav-tickets", "nav-kb", "nav-reports", "nav-settings"]:
            assert self.driver.find_element(By.ID, link).is_displayed(), link
        assert self.args.email in self.driver.find_element(By.ID, "current-user").text
        self.shot("shell.png")
        self.driver.set_window_size(390, 844)
        self.go("/app")
        self.wait.until(EC.presence_of_element_located((By.ID, "main-nav")))
        self.shot("shell-phone.png")
        self.driver.set_window_size(1280, 800)

    def owner_invites_an_agent(self):
        self.go("/app/settings/members")
        self.wait.until(EC.presence_of_element_located((By.ID, "members-table")))
        self.driver.find_element(By.ID, "invite-email").send_keys(self.agent_email)
        Select(self.driver.find_element(By.ID, "invite-role")).select_by_value("agent")
        self.driver.find_element(By.ID, "invite-submit").click()
        link = self.wait.until(EC.presence_of_element_located((By.ID, "invite-link")))
        self.invite_link = link.get_attribute("value")
        assert "/invite/" in self.invite_link, self.invite_link
        self.shot("members.png")

    def the_agent_signs_up_through_the_link(self):
        self.sign_out()
        url = self.invite_link if self.invite_link.startswith("http") else self.base + self.invite_link
        self.driver.get(url)
        self.wait.until(EC.presence_of_element_located((By.ID, "accept-form")))
        self.driver.find_element(By.ID, "name").send_keys("Test Agent 测试客服")
        self.driver.find_element(By.ID, "password").send_keys(self.agent_password)
        self.driver.find_element(By.ID, "accept-submit").click()
        self.wait.until(EC.url_contains("/app"))
        user = self.wait.until(EC.presence_of_element_located((By.ID, "current-user")))
        assert self.agent_email in user.text, user.text
        self.sign_out()

    def owner_changes_the_agents_role(self):
        self.sign_in(self.args.email, self.args.password)
        self.wait.until(EC.url_contains("/app"))
        self.go("/app/settings/members")
        row = self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f'tr[data-email="{self.agent_email}"]')))
        Select(row.find_element(By.CSS_SELECTOR, "select[name=role]")).select_by_value("supervisor")
        row.find_element(By.CSS_SELECTOR, "button.save-role").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "flash")))
        row = self.driver.find_element(By.CSS_SELECTOR, f'tr[data-email="{self.agent_email}"]')
        selected = Select(row.find_element(By.CSS_SELECTOR, "select[name=role]")).first_selected_option
        assert selected.get_attribute("value") == "supervisor", selected.get_attribute("value")

    def the_audit_log_shows_the_failure_and_the_change(self):
        self.go("/app/settings/audit")
        self.wait.until(EC.presence_of_element_located((By.ID, "audit-table")))
        actions = [td.text for td in self.driver.find_elements(By.CSS_SELECTOR, "#audit-table td.action")]
        for expected in ["auth.sign_in_failed", "member.invited", "member.joined", "member.role_changed", "auth.sign_out"]:
            assert expected in actions, f"{expected} not in {actions}"
        self.shot("audit.png")

    def settings_pages_render(self):
        self.go("/app/settings/workspace")
        self.wait.until(EC.presence_of_element_located((By.ID, "workspace-form")))
        self.shot("workspace.png")
        self.go("/app/settings/tokens")
        self.wait.until(EC.presence_of_element_located((By.ID, "token-form")))
        self.driver.find_element(By.ID, "token-name").send_keys("CI integration")
        self.driver.find_element(By.ID, "token-submit").click()
        token = self.wait.until(EC.presence_of_element_located((By.ID, "new-token")))
        assert token.get_attribute("value").startswith("kefu_pat_")
        self.shot("tokens.png")

    def the_owner_keeps_sensitive_words_and_canned_replies(self):
        self.go("/app/settings/sensitive-words")
        self.driver.find_element(By.ID, "word-text").send_keys("運費")
        Select(self.driver.find_element(By.ID, "word-action")).select_by_value("flag")
        self.driver.find_element(By.ID, "word-submit").click()
        # The form posts and the page comes back with a flash: wait for the new page before reading it.
        self.wait.until(lambda d: "flash=word_saved" in d.current_url)
        assert "運費" in self.driver.find_element(By.ID, "words-table").text
        self.shot("sensitive-words.png")
        self.go("/app/settings/canned-replies")
        self.driver.find_element(By.ID, "canned-shortcut").send_keys("/thanks")
        self.driver.find_element(By.ID, "canned-body").send_keys("谢谢{{contact.name|您}}的耐心等待。")
        self.driver.find_element(By.ID, "canned-shared").click()
        self.driver.find_element(By.ID, "canned-submit").click()
        self.wait.until(lambda d: "flash=reply_saved" in d.current_url)
        assert "/thanks" in self.driver.find_element(By.ID, "canned-table").text
        self.shot("canned-replies.png")

    def admin_writes_a_chinese_article_and_publishes_it(self):
        self.go("/app/kb")
        self.wait.until(EC.element_to_be_clickable((By.ID, "kb-new"))).click()
        self.wait.until(EC.presence_of_element_located((By.ID, "article-form")))
        self.driver.find_element(By.ID, "article-title").send_keys(self.article_title)
        Select(self.driver.find_element(By.ID, "article-locale")).select_by_value("zh-CN")
        Select(self.driver.find_element(By.ID, "article-status")).select_by_value("published")
        body = self.driver.find_element(By.ID, "article-body")
        body.send_keys("## 周末值班\n\n**周末售后值班**时间为上午九点到下午六点，节假日另行通知。<script>alert(1)</script>")
        # The live preview renders the Markdown and drops the script.
        self.wait.until(lambda d: "周末售后值班" in d.find_element(By.ID, "article-preview").get_attribute("innerHTML"))
        preview = self.driver.find_element(By.ID, "article-preview").get_attribute("innerHTML")
        assert "<strong>" in preview and "<script" not in preview, preview
        self.shot("kb-editor.png")
        self.driver.find_element(By.ID, "article-save").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "flash")))
        assert self.driver.find_element(By.ID, "article-public").is_displayed()

    def the_portal_finds_it_and_a_reader_marks_it_helpful(self):
        self.go("/help/demo-shop?lang=zh-CN")
        box = self.wait.until(EC.presence_of_element_located((By.ID, "portal-q")))
        box.send_keys("周末值班")
        link = self.wait.until(
            EC.presence_of_element_located((By.XPATH, f'//div[@id="portal-live-results"]//a[text()="{self.article_title}"]')))
        assert self.driver.find_elements(By.CSS_SELECTOR, "#portal-live-results mark"), "no highlighted words"
        self.shot("portal.png")
        link.click()
        self.wait.until(EC.presence_of_element_located((By.ID, "portal-article")))
        assert self.article_title in self.driver.find_element(By.ID, "portal-article").text
        self.driver.find_element(By.ID, "vote-yes").click()
        self.wait.until(EC.visibility_of_element_located((By.ID, "vote-thanks")))
        self.shot("portal-article.png")
        self.driver.set_window_size(390, 844)
        self.go("/help/demo-shop?lang=zh-CN")
        self.wait.until(EC.presence_of_element_located((By.ID, "portal-q")))
        self.shot("portal-phone.png")
        self.driver.set_window_size(1280, 800)

    def try_the_bot_answers_from_the_faq(self):
        self.go("/app/bot/try")
        self.wait.until(EC.presence_of_element_located((By.ID, "ask-text"))).send_keys("怎么退货")
        self.driver.find_element(By.ID, "ask-submit").click()
        kind = self.wait.until(EC.presence_of_element_located((By.ID, "decision-kind")))
        assert kind.text == "answer", kind.text
        sources = self.driver.find_element(By.ID, "decision-sources").text
        assert "退货" in sources, sources
        assert self.driver.find_elements(By.CSS_SELECTOR, "#decision-intents li"), "no intents shown"
        self.shot("try-bot.png")

    def the_admin_adds_a_phrase_retrains_and_the_new_version_is_active(self):
        self.go("/app/bot/models")
        self.wait.until(EC.presence_of_element_located((By.ID, "bot-models")))
        before = len(self.driver.find_elements(By.CSS_SELECTOR, "#bot-models tr[id^=model-v]"))
        self.go("/app/bot/try")
        self.wait.until(EC.presence_of_element_located((By.ID, "ask-text"))).send_keys(self.new_phrase)
        self.driver.find_element(By.ID, "ask-submit").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "teach-form")))
        Select(self.driver.find_element(By.ID, "teach-intent")).select_by_visible_text("return_exchange")
        self.driver.find_element(By.ID, "teach-submit").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "intent-phrases")))
        assert self.new_phrase in self.driver.find_element(By.ID, "intent-phrases").text
        # Where this intent's hand-offs go: pick another team, save, it stays picked; then put the demo's back.
        team = Select(self.driver.find_element(By.ID, "intent-team"))
        assert len(team.options) >= 2, [o.text for o in team.options]
        original = team.first_selected_option.text
        other = next(o.text for o in team.options if o.text != original)
        for wanted in [other, original]:
            select = self.driver.find_element(By.ID, "intent-team")
            Select(select).select_by_visible_text(wanted)
            self.driver.find_element(By.ID, "intent-team-save").click()
            # The form posts and the page comes back: wait for the old page to go before reading the new one.
            self.wait_gone(select)
            saved = self.wait.until(EC.presence_of_element_located((By.ID, "intent-team")))
            assert Select(saved).first_selected_option.text == wanted, Select(saved).first_selected_option.text
        assert "flash=intent_team_saved" in self.driver.current_url
        self.go("/app/bot/models")
        self.wait.until(EC.element_to_be_clickable((By.ID, "train"))).click()
        version = f"model-v{before + 1}"
        # The page reloads itself while the job runs; a debug build trains the template in under a minute.
        WebDriverWait(self.driver, 300).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, f"#{version} .badge.ok"))
        report = self.driver.find_element(By.ID, "training-report").text
        assert "return_exchange" in report, report
        self.shot("bot-models.png")

    # Live chat: a second browser is the customer on the demo shop; this one (the owner) is the agent.

    def widget(self):
        return self.customer.find_element(By.ID, "kefu-widget").shadow_root

    def customer_messages(self):
        # textContent: the panel may be closed, and Selenium's .text of hidden elements is empty.
        return [li.get_attribute("textContent") for li in self.widget().find_elements(By.CSS_SELECTOR, ".log li[data-seq]")]

    def a_customer_on_the_demo_shop_gets_the_bots_answer_with_its_source(self):
        self.customer = make_driver()
        self.customer_wait = WebDriverWait(self.customer, 20, ignored_exceptions=[StaleElementReferenceException])
        self.customer.get(self.base + "/demo")
        self.customer_wait.until(lambda d: d.find_elements(By.ID, "kefu-widget"))
        self.customer_wait.until(lambda d: self.widget().find_element(By.CSS_SELECTOR, ".launcher").is_displayed())
        self.widget().find_element(By.CSS_SELECTOR, ".launcher").click()
        self.widget().find_element(By.CSS_SELECTOR, "textarea").send_keys("怎么退货")
        self.widget().find_element(By.CSS_SELECTOR, ".send").click()
        answer = self.customer_wait.until(
            lambda d: [li for li in self.widget().find_elements(By.CSS_SELECTOR, ".log li.bot") if li.text])
        assert self.widget().find_elements(By.CSS_SELECTOR, ".log li.bot .sources"), answer[0].text
        self.customer.save_screenshot(os.path.join(self.args.screenshots, "widget.png"))

    def the_customer_asks_for_a_person_and_the_agent_takes_it_with_the_summary(self):
        self.widget().find_element(By.CSS_SELECTOR, ".human").click()
        self.go("/app?view=unassigned")
        link = self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#inbox a[data-conversation]")))
        link.click()
        self.wait.until(lambda d: "怎么退货" in d.find_element(By.ID, "handoff-summary").text)
        self.wait.until(EC.element_to_be_clickable((By.ID, "take"))).click()
        self.wait.until(lambda d: not d.find_element(By.ID, "take").is_displayed())

    def they_exchange_messages_live_and_html_stays_text(self):
        self.driver.find_element(By.ID, "composer-text").send_keys("您好，我来帮您处理退货。")
        self.driver.find_element(By.ID, "composer-send").click()
        self.customer_wait.until(lambda d: any("我来帮您处理退货" in text for text in self.customer_messages()))
        typed = "<img src=x onerror=alert(1)>还有运费问题"
        self.widget().find_element(By.CSS_SELECTOR, "textarea").send_keys(typed)
        self.widget().find_element(By.CSS_SELECTOR, ".send").click()
        self.wait.until(lambda d: any(typed in li.text for li in d.find_elements(By.CSS_SELECTOR, "#thread li")))
        assert not self.driver.find_elements(By.CSS_SELECTOR, "#thread img"), "HTML from a customer was rendered"
        assert not self.widget().find_elements(By.CSS_SELECTOR, ".log img"), "HTML was rendered in the widget"
        self.shot("console.png")

    def a_flag_a_canned_reply_and_search_work_in_the_console(self):
        # The word was listed in its traditional form; the customer wrote it in simplified characters.
        flagged = self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#thread li.customer .flag"))
        assert "運費" in flagged[-1].text, flagged[-1].text
        box = self.driver.find_element(By.ID, "composer-text")
        box.send_keys("/than")
        self.wait.until(lambda d: d.find_element(By.ID, "canned").is_displayed())
        box.send_keys(Keys.ENTER)
        assert box.get_attribute("value") == "谢谢您的耐心等待。", box.get_attribute("value")
        self.driver.find_element(By.ID, "composer-send").click()
        self.customer_wait.until(lambda d: any("耐心等待" in text for text in self.customer_messages()))
        assert not any(text.strip() == "/than" for text in self.customer_messages()), "Enter in the list sent the draft"
        search = self.driver.find_element(By.ID, "search-q")
        search.send_keys("运费", Keys.ENTER)
        results = self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li"))
        assert any("运费" in r.text for r in results), [r.text for r in results]
        self.shot("console-search.png")
        self.driver.find_element(By.ID, "search-close").click()

    def an_image_the_customer_sends_shows_in_the_widget_and_the_console(self):
        # Chromium takes absolute paths only; the picture lives outside the repository.
        folder = tempfile.mkdtemp(prefix="kefu-browser-")
        path = os.path.join(folder, "receipt.png")
        with open(path, "wb") as f:
            f.write(tiny_png(40, 24))
        picker = self.widget().find_element(By.CSS_SELECTOR, "input[type=file]")
        self.customer.execute_script("arguments[0].hidden = false;", picker)
        picker.send_keys(path)
        loaded = "return arguments[0].complete && arguments[0].naturalWidth === 40;"
        image = self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#thread li.customer .file img"))[0]
        self.wait.until(lambda d: d.execute_script(loaded, image))
        assert image.get_attribute("alt") == "receipt.png", image.get_attribute("alt")
        shown = self.customer_wait.until(lambda d: self.widget().find_elements(By.CSS_SELECTOR, ".log li.customer .file img"))
        self.customer_wait.until(lambda d: d.execute_script(loaded, shown[0]))

    def a_closed_and_reopened_widget_misses_nothing_and_doubles_nothing(self):
        self.customer.get("about:blank")
        self.driver.find_element(By.ID, "composer-text").send_keys("您离开时我们已经为您登记。")
        self.driver.find_element(By.ID, "composer-send").click()
        self.wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#thread li.pending"))
        self.customer.get(self.base + "/demo")
        self.customer_wait.until(lambda d: d.find_elements(By.ID, "kefu-widget"))
        self.customer_wait.until(lambda d: any("已经为您登记" in text for text in self.customer_messages()))
        seqs = [li.get_attribute("data-seq") for li in self.widget().find_elements(By.CSS_SELECTOR, ".log li[data-seq]")]
        assert len(seqs) == len(set(seqs)), seqs
        messages = self.customer_messages()
        assert len(messages) == len(set(messages)), messages
        for text in ["我来帮您处理退货", "还有运费问题", "已经为您登记"]:
            assert sum(text in m for m in messages) == 1, (text, messages)
        self.customer.quit()

    # Routing: the new supervisor is the only one taking chats, one at a time.

    def open_widget_and_ask_for_a_person(self, driver, text):
        driver.get(self.base + "/demo")
        wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
        wait.until(lambda d: d.find_elements(By.ID, "kefu-widget"))
        widget = lambda: driver.find_element(By.ID, "kefu-widget").shadow_root
        wait.until(lambda d: widget().find_element(By.CSS_SELECTOR, ".launcher").is_displayed())
        widget().find_element(By.CSS_SELECTOR, ".launcher").click()
        widget().find_element(By.CSS_SELECTOR, "textarea").send_keys(text)
        widget().find_element(By.CSS_SELECTOR, ".send").click()
        wait.until(lambda d: widget().find_elements(By.CSS_SELECTOR, ".log li.customer[data-seq]"))
        widget().find_element(By.CSS_SELECTOR, ".human").click()
        return widget, wait

    def agent_status(self):
        script = (
            "const done = arguments[arguments.length - 1];"
            "fetch('/api/v1/presence').then(r => r.json()).then(done, () => done(null));"
        )
        listed = self.driver.execute_async_script(script) or {}
        return {entry["user_id"]: entry["status"] for entry in listed.get("data", [])}

    def agent_opens_the_console(self):
        """The invited agent signs in in a browser of their own and keeps the console open (online for routing)."""
        self.agent = make_driver()
        self.agent_wait = WebDriverWait(self.agent, 20, ignored_exceptions=[StaleElementReferenceException])
        self.agent.get(self.base + "/login")
        self.agent_wait.until(EC.presence_of_element_located((By.ID, "login-form")))
        self.agent.find_element(By.ID, "email").send_keys(self.agent_email)
        self.agent.find_element(By.ID, "password").send_keys(self.agent_password)
        self.agent.find_element(By.ID, "sign-in").click()
        self.agent_wait.until(EC.presence_of_element_located((By.ID, "inbox")))

    def the_only_agent_at_capacity_leaves_the_next_customer_at_position_one(self):
        self.set_capacity(self.agent_email, 1)
        row = self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f'tr[data-email="{self.agent_email}"]')))
        assert row.find_element(By.CSS_SELECTOR, "input[name=max_chats]").get_attribute("value") == "1"
        before = set(k for k, v in self.agent_status().items() if v == "online")

        self.agent_opens_the_console()
        # Their console's socket makes them online: routing may give them chats from now on.
        self.wait.until(lambda d: set(k for k, v in self.agent_status().items() if v == "online") - before)

        self.first = make_driver()
        first, first_wait = self.open_widget_and_ask_for_a_person(self.first, "我想找人工客服看看订单")
        first_wait.until(lambda d: first().find_elements(By.CSS_SELECTOR, ".log li.system"))
        assert first().find_element(By.CSS_SELECTOR, ".queue").get_attribute("hidden") is not None

        self.second = make_driver()
        second, second_wait = self.open_widget_and_ask_for_a_person(self.second, "请帮我转人工，谢谢")
        note = second_wait.until(lambda d: [q for q in second().find_elements(By.CSS_SELECTOR, ".queue") if q.is_displayed()])
        assert note[0].get_attribute("data-position") == "1", note[0].get_attribute("textContent")
        self.second.save_screenshot(os.path.join(self.args.screenshots, "widget-queue.png"))

        # The agent resolves the first chat; the seat goes to the one waiting at once.
        self.agent.get(self.base + "/app?view=mine")
        link = self.agent_wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#inbox a[data-conversation]")))
        link.click()
        self.agent_wait.until(lambda d: any("订单" in li.text for li in d.find_elements(By.CSS_SELECTOR, "#thread li")))
        self.agent_wait.until(EC.element_to_be_clickable((By.ID, "resolve"))).click()
        second_wait.until(lambda d: second().find_elements(By.CSS_SELECTOR, ".log li.system"))
        second_wait.until(lambda d: not second().find_element(By.CSS_SELECTOR, ".queue").is_displayed())
        for driver in [self.first, self.second, self.agent]:
            driver.quit()

    # Business hours: the server runs with --test-clock, so the story can be on a Saturday and then on Monday.

    def api(self, method, path, body=None):
        script = (
            "const [method, path, body, done] = arguments;"
            "fetch(path, {method, headers: {'content-type': 'application/json'}, body: body && JSON.stringify(body)})"
            ".then(r => r.json().then(json => done({status: r.status, json})), () => done(null));"
        )
        return self.driver.execute_async_script(script, method, path, body)

    def wait_for_mail(self, recipient, text, timeout=60):
        """The raw mail the test SMTP server stored for `recipient` whose plain text holds `text`."""
        import base64
        import email as email_lib
        deadline = time.time() + timeout
        while time.time() < deadline:
            for name in sorted(os.listdir(self.args.mail_dir)) if os.path.isdir(self.args.mail_dir) else []:
                if not name.endswith(".eml"):
                    continue
                raw = open(os.path.join(self.args.mail_dir, name), "rb").read()
                message = email_lib.message_from_bytes(raw)
                if recipient not in (message.get("To") or ""):
                    continue
                for part in message.walk():
                    if part.get_content_type() == "text/plain" and text in part.get_payload(decode=True).decode("utf-8"):
                        return raw.decode("utf-8", "replace")
            time.sleep(0.2)
        raise AssertionError(f"no mail to {recipient} with {text!r} in {self.args.mail_dir}")

    def set_clock(self, moment):
        answer = self.api("PUT", "/api/v1/test-clock", {"now": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})
        assert answer and answer["status"] == 200, answer

    def set_capacity(self, email, chats):
        self.go("/app/settings/members")
        row = self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f'tr[data-email="{email}"]')))
        field = row.find_element(By.CSS_SELECTOR, "input[name=max_chats]")
        field.clear()
        field.send_keys(str(chats))
        row.find_element(By.CSS_SELECTOR, "button.save-routing").click()
        self.wait.until(EC.url_contains("flash=routing_saved"))

    def outside_business_hours_the_widget_offers_a_message_and_the_agent_sees_it_next_morning(self):
        self.set_capacity(self.agent_email, 5)
        self.go("/app/settings/business-hours")
        form = self.wait.until(EC.presence_of_element_located((By.ID, "hours-form")))
        enabled = form.find_element(By.ID, "hours-enabled")
        if not enabled.is_selected():
            enabled.click()
        zone = form.find_element(By.ID, "hours-time-zone")
        zone.clear()
        zone.send_keys("Asia/Shanghai")
        for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]:
            box = form.find_element(By.ID, f"hours-{day}")
            box.clear()
            if day not in ("sat", "sun"):
                box.send_keys("09:00-12:00, 13:30-18:00")
        holidays = form.find_element(By.ID, "hours-holidays")
        holidays.clear()
        holidays.send_keys("2026-12-25 圣诞节")
        form.find_element(By.ID, "hours-submit").click()
        self.wait.until(EC.url_contains("flash=hours_saved"))
        assert self.driver.find_element(By.ID, "hours-mon").get_attribute("value") == "09:00-12:00, 13:30-18:00"
        # Next Saturday, 11:00 in Shanghai.
        now = datetime.datetime.now(datetime.timezone.utc)
        saturday = (now + datetime.timedelta(days=(5 - now.weekday()) % 7 or 7)).replace(hour=3, minute=0, second=0, microsecond=0)
        self.set_clock(saturday)
        self.go("/app/settings/business-hours")
        status = self.wait.until(EC.presence_of_element_located((By.ID, "hours-status"))).text
        assert "09:00" in status, status
        self.shot("settings-business-hours.png")

        # The agent is at their console all weekend: closed means nobody is given the chat.
        self.agent_opens_the_console()

        email = f"buyer-{secrets.token_hex(3)}@example.com"
        self.customer = make_driver()
        widget, wait = self.open_widget_and_ask_for_a_person(self.customer, "周末可以退货吗？我想找人工")
        leave = wait.until(lambda d: [f for f in widget().find_elements(By.CSS_SELECTOR, "form.leave") if f.is_displayed()])[0]
        note = widget().find_element(By.CSS_SELECTOR, ".queue")
        assert note.is_displayed() and note.text, "the customer is told the business is closed"
        leave.find_element(By.CSS_SELECTOR, "button.leave-open").click()
        inputs = leave.find_elements(By.CSS_SELECTOR, "input")
        inputs[0].send_keys("王芳")
        leave.find_element(By.CSS_SELECTOR, "input[type=email]").send_keys("not an address")
        leave.find_element(By.CSS_SELECTOR, "button.leave-send").click()
        wait.until(lambda d: leave.find_element(By.CSS_SELECTOR, ".error").text)
        box = leave.find_element(By.CSS_SELECTOR, "input[type=email]")
        box.clear()
        box.send_keys(email)
        leave.find_element(By.CSS_SELECTOR, "textarea").send_keys("麻烦周一联系我")
        self.customer.save_screenshot(os.path.join(self.args.screenshots, "widget-leave-message.png"))
        leave.find_element(By.CSS_SELECTOR, "button.leave-send").click()
        wait.until(lambda d: widget().find_element(By.CSS_SELECTOR, ".queue").get_attribute("data-left") == "true")
        wait.until(lambda d: any("周一联系我" in text for text in
                                 [li.get_attribute("textContent") for li in widget().find_elements(By.CSS_SELECTOR, ".log li.customer")]))
        self.go("/app?view=unassigned")
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#inbox .badge.left-message"))
        self.agent.get(self.base + "/app?view=mine")
        self.agent_wait.until(EC.presence_of_element_located((By.ID, "inbox")))
        assert not self.agent.find_elements(By.CSS_SELECTOR, "#inbox .badge.left-message"), "assigned while closed"

        # Monday 09:30: the router gives it to the agent at once; they read the way back and reply.
        self.set_clock(saturday + datetime.timedelta(days=2, hours=-1, minutes=-30))
        self.agent.get(self.base + "/app?view=mine")
        link = self.agent_wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#inbox li:has(.left-message) a")))
        link.click()
        self.agent_wait.until(lambda d: any(email in li.text for li in d.find_elements(By.CSS_SELECTOR, "#thread li")))
        self.agent.find_element(By.ID, "composer-text").send_keys("早上好，周末的退货已为您登记。")
        self.agent.find_element(By.ID, "composer-send").click()
        wait.until(lambda d: any("已为您登记" in li.get_attribute("textContent")
                                 for li in widget().find_elements(By.CSS_SELECTOR, ".log li.agent")))
        self.agent.save_screenshot(os.path.join(self.args.screenshots, "console-left-message.png"))
        outbox = self.api("GET", "/api/v1/outbox")
        assert any(e["recipient"] == email and "已为您登记" in e["body"] for e in outbox["json"]["entries"]), outbox
        # The reply really goes out: the test SMTP server receives it, and Settings → Deliveries shows it delivered.
        mail = self.wait_for_mail(email, "已为您登记")
        assert "=?UTF-8?B?" in mail or "Subject:" in mail, mail[:400]
        self.go("/app/settings/deliveries")
        row = self.wait.until(lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#delivery-table tr[data-delivery]")
                                         if email in r.text and r.get_attribute("data-status") == "delivered"])
        assert row, "the delivery is not shown delivered"
        self.shot("settings-deliveries.png")
        # Settings → E-mail: a bad server URL is refused and what was typed stays; the test e-mail goes out.
        self.driver.find_element(By.ID, "email-settings-link").click()
        form = self.wait.until(EC.presence_of_element_located((By.ID, "email-settings")))
        url = form.find_element(By.ID, "smtp-url")
        url.send_keys("http://mail.example.com")
        form.find_element(By.ID, "mail-from").send_keys("Demo Shop <help@demo-shop.example>")
        form.find_element(By.ID, "email-save").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "form-error")))
        assert self.driver.find_element(By.ID, "smtp-url").get_attribute("value") == "http://mail.example.com"
        assert "demo-shop.example" in self.driver.find_element(By.ID, "mail-from").get_attribute("value")
        self.shot("settings-email.png")
        to = self.driver.find_element(By.ID, "test-to")
        to.clear()
        to.send_keys("owner-test@demo-shop.example")
        self.driver.find_element(By.ID, "test-send").click()
        self.wait.until(EC.url_contains("flash=test_email_queued"))
        self.wait_for_mail("owner-test@demo-shop.example", "Kefu")

        # Back to always open and real time for the steps after this one.
        self.go("/app/settings/business-hours")
        enabled = self.wait.until(EC.presence_of_element_located((By.ID, "hours-enabled")))
        if enabled.is_selected():
            enabled.click()
        self.driver.find_element(By.ID, "hours-submit").click()
        self.wait.until(EC.url_contains("flash=hours_saved"))
        self.set_clock(datetime.datetime.now(datetime.timezone.utc))
        for driver in [self.customer, self.agent]:
            driver.quit()

    # Tickets, SLA and business actions.

    def a_customer_asks_for_their_order_status_and_the_bot_answers_from_the_shop(self):
        self.customer = make_driver()
        self.customer_wait = WebDriverWait(self.customer, 20, ignored_exceptions=[StaleElementReferenceException])
        self.customer.get(self.base + "/demo")
        self.customer_wait.until(lambda d: self.widget().find_element(By.CSS_SELECTOR, ".launcher").is_displayed())
        self.widget().find_element(By.CSS_SELECTOR, ".launcher").click()
        self.widget().find_element(By.CSS_SELECTOR, "textarea").send_keys("我的订单 123456 到哪了")
        self.widget().find_element(By.CSS_SELECTOR, ".send").click()
        # The order flow calls the demo shop's backend (a signed HTTP call) and answers with the real status.
        answer = self.customer_wait.until(
            lambda d: [li.text for li in self.widget().find_elements(By.CSS_SELECTOR, ".log li.bot") if "123456" in li.text])
        assert "已发货" in answer[-1] and "2026-11-27" in answer[-1], answer
        self.customer.save_screenshot(os.path.join(self.args.screenshots, "widget-order.png"))

    def a_customer_files_a_request_after_suggestions_and_sees_the_agents_reply(self):
        self.customer.get(self.base + "/help/demo-shop/tickets/new?lang=zh-CN")
        subject = self.customer_wait.until(EC.presence_of_element_located((By.ID, "ticket-subject")))
        subject.send_keys("退货")
        # Articles are suggested while the subject is typed, before anything is filed.
        self.customer_wait.until(lambda d: d.find_element(By.ID, "ticket-suggestions").is_displayed()
                                 and d.find_elements(By.CSS_SELECTOR, "#ticket-suggestions li a"))
        subject.send_keys(" 茶叶罐破损 " + secrets.token_hex(2))
        self.customer.find_element(By.ID, "ticket-body").send_keys("收到的茶叶罐是破的 <b>请处理</b>")
        self.customer.find_element(By.ID, "ticket-email").send_keys("buyer@example.com")
        self.customer.execute_script("window.scrollTo(0, 0)")
        self.customer.save_screenshot(os.path.join(self.args.screenshots, "portal-ticket.png"))
        self.customer.find_element(By.ID, "ticket-submit").click()
        self.customer_wait.until(EC.presence_of_element_located((By.ID, "ticket-created")))
        status_link = self.customer.current_url.split("?")[0]
        number = self.customer.find_element(By.TAG_NAME, "h1").text.split()[0].lstrip("#")

        self.go("/app/tickets?q=%23" + number)
        self.wait.until(EC.presence_of_element_located((By.ID, "ticket-comment")))
        assert "<b>请处理</b>" in self.driver.find_element(By.ID, "ticket-history").text
        self.driver.find_element(By.ID, "comment-body").send_keys("已为您安排换货，新茶叶罐今天发出。")
        self.driver.find_element(By.ID, "comment-submit").click()
        self.wait.until(EC.url_contains("flash=reply_sent"))
        self.shot("ticket.png")

        self.customer.get(status_link)
        self.customer_wait.until(lambda d: "新茶叶罐今天发出" in d.find_element(By.ID, "ticket-status").text)

    def the_admin_runs_a_test_call_in_the_action_editor(self):
        self.go("/app/settings/actions")
        self.wait.until(EC.element_to_be_clickable((By.LINK_TEXT, "query_order"))).click()
        field = self.wait.until(EC.presence_of_element_located((By.ID, "test-order_number")))
        field.send_keys("202405183379")
        self.driver.find_element(By.ID, "action-test-run").click()
        result = self.wait.until(EC.presence_of_element_located((By.ID, "action-test-result")))
        assert "HTTP 200" in result.text and "已签收" in result.text, result.text
        self.shot("action-editor.png")

    def an_sla_warning_and_a_breach_appear_as_the_test_clock_passes_the_targets(self):
        self.go("/app/settings/sla/new")
        self.wait.until(EC.presence_of_element_located((By.ID, "sla-name"))).send_keys("Urgent 1h")
        self.driver.find_element(By.ID, "first-urgent").send_keys("1h")
        warn = self.driver.find_element(By.ID, "sla-warn")
        warn.clear()
        warn.send_keys("15")
        self.driver.find_element(By.ID, "sla-save").click()
        self.wait.until(EC.url_contains("flash=sla_saved"))
        start = datetime.datetime.now(datetime.timezone.utc)
        self.set_clock(start)
        made = self.api("POST", "/api/v1/tickets", {"subject": "Payment failed twice", "body": "Card charged, no order",
                                                      "requester_email": "payer@example.com", "priority": "urgent"})
        assert made and made["status"] == 201, made
        number = made["json"]["number"]
        # The console hears warnings and breaches live over its socket.
        self.go("/app")
        self.wait.until(EC.presence_of_element_located((By.ID, "inbox")))
        self.wait.until(lambda d: d.find_element(By.ID, "thread-typing").text == "")
        self.set_clock(start + datetime.timedelta(minutes=50))
        self.wait.until(lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, ".console-alert.warning a") if f"#{number}" in a.text])
        self.set_clock(start + datetime.timedelta(minutes=61))
        self.wait.until(lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, ".console-alert.breach a") if f"#{number}" in a.text])
        self.shot("sla-alerts.png")
        self.driver.find_element(By.CSS_SELECTOR, ".console-alert.breach a").click()
        self.wait.until(lambda d: "SLA" in d.find_element(By.ID, "ticket-history").text)
        assert self.driver.find_elements(By.CSS_SELECTOR, "#ticket-sla .badge.danger"), "the clock shows the breach"
        self.set_clock(datetime.datetime.now(datetime.timezone.utc))
        self.go("/app/tickets?sla=breached")
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f'tr[data-ticket="{number}"]'))
        self.shot("tickets.png")
        self.customer.quit()

    def unknown_pages_are_a_404_page(self):
        self.go("/nope")
        body = self.wait.until(EC.presence_of_element_located((By.TAG_NAME, "body")))
        assert "404" in body.text, body.text

    def owner_signs_out(self):
        self.go("/app")
        self.sign_out()
        self.go("/app")
        self.wait.until(EC.url_contains("/login"))


def tiny_png(width, height):
    """A real PNG (a solid colour) written with the standard library only."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xd0\x40\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def main():
    args = parse_args()
    story = Story(args)
    steps = [
        story.wrong_password_shows_an_error,
        story.owner_signs_in_and_sees_the_shell,
        story.owner_invites_an_agent,
        story.the_agent_signs_up_through_the_link,
        story.owner_changes_the_agents_role,
        story.the_audit_log_shows_the_failure_and_the_change,
        story.settings_pages_render,
        story.the_owner_keeps_sensitive_words_and_canned_replies,
        story.admin_writes_a_chinese_article_and_publishes_it,
        story.the_portal_finds_it_and_a_reader_marks_it_helpful,
        story.try_the_bot_answers_from_the_faq,
        story.the_admin_adds_a_phrase_retrains_and_the_new_version_is_active,
        story.a_customer_on_the_demo_shop_gets_the_bots_answer_with_its_source,
        story.the_customer_asks_for_a_person_and_the_agent_takes_it_with_the_summary,
        story.they_exchange_messages_live_and_html_stays_text,
        story.a_flag_a_canned_reply_and_search_work_in_the_console,
        story.an_image_the_customer_sends_shows_in_the_widget_and_the_console,
        story.a_closed_and_reopened_widget_misses_nothing_and_doubles_nothing,
        story.the_only_agent_at_capacity_leaves_the_next_customer_at_position_one,
        story.outside_business_hours_the_widget_offers_a_message_and_the_agent_sees_it_next_morning,
        story.a_customer_asks_for_their_order_status_and_the_bot_answers_from_the_shop,
        story.a_customer_files_a_request_after_suggestions_and_sees_the_agents_reply,
        story.the_admin_runs_a_test_call_in_the_action_editor,
        story.an_sla_warning_and_a_breach_appear_as_the_test_clock_passes_the_targets,
        story.unknown_pages_are_a_404_page,
        story.owner_signs_out,
    ]
    passed = failed = 0
    try:
        for step in steps:
            name = step.__name__
            try:
                step()
                passed += 1
                print(f"ok   {name}")
            except Exception:
                failed += 1
                print(f"FAIL {name}")
                traceback.print_exc()
                story.shot(f"failed-{name}.png")
                break  # later steps depend on earlier ones
    finally:
        story.driver.quit()
    skipped = len(steps) - passed - failed
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 and skipped == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
